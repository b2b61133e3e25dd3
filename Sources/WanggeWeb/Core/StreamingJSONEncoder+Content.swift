import NIOCore
import NIOHTTP1
import Vapor
import WanggeDomain

extension StreamingJSONEncoder: ContentEncoder {
    public func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws {
        try encode(encodable, to: &body, headers: &headers, userInfo: [:])
    }

    public func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders,
                                     userInfo: [CodingUserInfoKey: any Sendable]) throws {
        headers.contentType = .json
        body.writeBytes(try encode(encodable, userInfo: userInfo))
    }
}
