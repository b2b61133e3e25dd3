import Vapor

/// Serves the OpenAPI document and a readable page generated from it.
struct OpenAPIController: RouteCollection {
    struct Row: Encodable {
        var method: String
        var path: String
        var summary: String
        var auth: Bool
        var parameters: String
        var body: String
        var status: Int
    }

    struct Context: Encodable {
        var p: PageChrome
        var groups: [Group]
    }

    struct Group: Encodable {
        var tag: String
        var rows: [Row]
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("api", "v1", "openapi.json", use: document)
        routes.get("api", "docs", use: page)
    }

    @Sendable func document(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: OpenAPIDocument.data))
    }

    @Sendable func page(req: Request) async throws -> Response {
        var groups: [Group] = []
        for op in OpenAPIDocument.operations {
            let row = Row(method: op.method.uppercased(), path: op.path, summary: op.summary, auth: op.auth,
                          parameters: (OpenAPIDocument.pathNames(op.path) + op.query.map(\.0)).joined(separator: ", "),
                          body: op.body ?? "", status: op.status)
            if let index = groups.firstIndex(where: { $0.tag == op.tag }) { groups[index].rows.append(row) } else { groups.append(Group(tag: op.tag, rows: [row])) }
        }
        return try await req.page("api-docs", Context(p: PageChrome(req), groups: groups))
    }
}
