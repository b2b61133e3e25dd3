/// UI strings, Simplified Chinese first with English. Templates read them as `#(p.t.key)`.
enum Strings {
    static func table(english: Bool) -> [String: String] { english ? en : zh }

    static let zh: [String: String] = [
        "app": "网格 · 基层治理平台",
        "appShort": "网格",
        "login": "登录", "logout": "退出", "username": "用户名", "password": "密码",
        "loginTitle": "登录网格平台", "loginHint": "示范账号的密码均为 demo12345。",
        "home": "首页", "account": "我的账号", "changePassword": "修改密码",
        "currentPassword": "当前密码", "newPassword": "新密码", "save": "保存", "create": "新建", "cancel": "取消",
        "passwordChanged": "密码已修改。", "saved": "已保存。", "created": "已创建。",
        "admin": "系统管理", "orgUnits": "组织架构", "grids": "网格", "departments": "职能部门", "users": "用户",
        "code": "编码", "name": "名称", "level": "层级", "parent": "上级单位", "children": "下级单位",
        "role": "角色", "displayName": "姓名", "phone": "电话", "orgUnit": "所属单位", "department": "所属部门",
        "gridWorkers": "网格员", "boundary": "边界", "uploadBoundary": "上传边界(GeoJSON)",
        "geojsonFile": "GeoJSON 文件", "geojsonText": "或粘贴 GeoJSON", "preview": "预览", "confirmSave": "确认保存",
        "previewHint": "请核对下方地图中的边界(橙色),确认无误后保存。",
        "map": "地图", "all": "全部", "filter": "筛选", "next": "下一页", "none": "无",
        "welcome": "欢迎", "yourScope": "您的管辖范围", "signedInAs": "当前用户",
        "landingIntro": "网格平台把群众反映的每一个问题登记为事件,派给应当解决的单位,盯住时限,现场核查,回访评价,并据此考核每一个网格、乡镇和部门。",
        "staffLogin": "工作人员登录", "language": "English",
        "newUnit": "新建下级单位", "newDepartment": "新建部门", "newUser": "新建用户",
        "gridsAssigned": "负责网格(多个用逗号分隔)", "active": "启用", "actions": "操作", "edit": "编辑",
        "unitCount": "单位数", "notFound": "未找到", "error": "出错了", "back": "返回",
        "noRows": "暂无记录。", "mapOfGrids": "网格分布图",
    ]

    static let en: [String: String] = [
        "app": "Wangge · grid governance",
        "appShort": "Wangge",
        "login": "Sign in", "logout": "Sign out", "username": "Username", "password": "Password",
        "loginTitle": "Sign in to Wangge", "loginHint": "Every demo account uses the password demo12345.",
        "home": "Home", "account": "My account", "changePassword": "Change password",
        "currentPassword": "Current password", "newPassword": "New password", "save": "Save", "create": "Create", "cancel": "Cancel",
        "passwordChanged": "Password changed.", "saved": "Saved.", "created": "Created.",
        "admin": "Administration", "orgUnits": "Organisation", "grids": "Grids", "departments": "Departments", "users": "Users",
        "code": "Code", "name": "Name", "level": "Level", "parent": "Parent unit", "children": "Units below",
        "role": "Role", "displayName": "Name", "phone": "Phone", "orgUnit": "Unit", "department": "Department",
        "gridWorkers": "Grid workers", "boundary": "Boundary", "uploadBoundary": "Upload boundary (GeoJSON)",
        "geojsonFile": "GeoJSON file", "geojsonText": "or paste GeoJSON", "preview": "Preview", "confirmSave": "Confirm and save",
        "previewHint": "Check the boundary (orange) on the map below, then save.",
        "map": "Map", "all": "All", "filter": "Filter", "next": "Next page", "none": "None",
        "welcome": "Welcome", "yourScope": "Your area", "signedInAs": "Signed in as",
        "landingIntro": "Wangge turns every problem people raise into a case, sends it to whoever must solve it, watches the deadline, checks the result on site, asks the reporter, and scores every grid, township and department on it.",
        "staffLogin": "Staff sign-in", "language": "中文",
        "newUnit": "New unit below", "newDepartment": "New department", "newUser": "New user",
        "gridsAssigned": "Grids walked (comma-separated)", "active": "Active", "actions": "Actions", "edit": "Edit",
        "unitCount": "Units", "notFound": "Not found", "error": "Something went wrong", "back": "Back",
        "noRows": "Nothing here yet.", "mapOfGrids": "Map of grids",
    ]
}
