import NIOCore
import NIOHTTP1
import Vapor
import WanggeDomain

extension Response {
    /// An API answer written straight into its body. Through `Content` every answer looked up the JSON
    /// encoder in Vapor's content configuration, under its lock, and went through `Encodable`'s
    /// generic entry: a third of what writing a case page's JSON costs. The bytes are the same.
    convenience init(json value: some JSONWritable, status: HTTPResponseStatus = .ok) throws {
        let bytes = try StreamingJSONEncoder().encode(writing: value)
        self.init(status: status, headers: Self.jsonHeaders, body: Body(buffer: ByteBuffer(bytes: bytes)))
    }

    /// The content type written out once (setting it formats the media type every time).
    private static let jsonHeaders: HTTPHeaders = {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return headers
    }()
}
