import WanggeWeb

@main
struct Wangge {
    static func main() async {
        await WanggeEntry.main()
    }
}
