import CShims
import Vapor

/// Pages, maps and lists go out gzip-compressed to clients that ask for it (every browser and phone
/// does): a dispatcher's work list with its map of 1,000 grids is some 200 KB of text and the overview
/// 360 KB, which a township's thin line or a grid worker's phone takes seconds to fetch; compressed
/// they are a seventh to a ninth of that. Only text, JSON and SVG are compressed (Vapor's
/// "compressible" types): photos, ZIP and XLSX already are. Clients that do not ask (`wrk`, `curl`
/// without `--compressed`) get the plain bytes.
///
/// Not Vapor's own response compression: it runs zlib's level 6 on the event loop, 5–6 ms of CPU for
/// a 200 KB page (BENCHMARKS.md). Level 1 takes about 1 ms for a seventh more bytes. A text that many
/// pages carry whole (a county's map outlines) is compressed once at level 6 and copied in
/// (`PrecompressedText`).
struct GzipMiddleware: AsyncMiddleware {
    static let level: Int32 = 1
    /// Below this, gzip saves at most a few hundred bytes and its setup costs more than sending them.
    static let minimumBytes = 1_024

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let carried = CarriedPage(response.body.buffer, texts: request.carriedTexts)
        // The size first: most answers (a report's 201, tracking, the API's small JSON) are under it, and
        // parsing the content type was 8% of the trivial endpoint's CPU (BENCHMARKS.md, 2026-12-05 noon).
        guard carried?.length ?? response.body.count >= Self.minimumBytes, let body = response.body.buffer,
              !response.headers.contains(name: .contentEncoding), Self.isCompressible(response.headers)
        else { return Self.withTextsInPlace(response, carried, allocator: request.byteBufferAllocator) }
        // Whether or not this client asked, a cache between must keep the two forms apart.
        response.headers.add(name: .vary, value: "Accept-Encoding")
        guard request.method != .HEAD, Self.acceptsGzip(request.headers[.acceptEncoding]),
              let compressed = Self.gzip(body, pieces: carried?.pieces, allocator: request.byteBufferAllocator)
        else { return Self.withTextsInPlace(response, carried, allocator: request.byteBufferAllocator) }
        response.headers.replaceOrAdd(name: .contentEncoding, value: "gzip")
        response.body = .init(buffer: compressed)
        return response
    }

    /// The answer as it goes out plain: the texts it carries in place of their marks.
    private static func withTextsInPlace(_ response: Response, _ carried: CarriedPage?, allocator: ByteBufferAllocator) -> Response {
        if let carried, let body = response.body.buffer { response.body = .init(buffer: carried.joined(body, allocator: allocator)) }
        return response
    }

    /// Whether the answer's type is one of Vapor's compressible ones. The API's JSON and the pages' HTML are known by
    /// their header's text as this server writes it; parsing it into a media type was 5.7% of a case page's CPU.
    static func isCompressible(_ headers: HTTPHeaders) -> Bool {
        guard let raw = headers.first(name: .contentType) else { return false }
        if knownCompressible.contains(raw) { return true }
        guard let type = headers.contentType else { return false }
        return HTTPMediaTypeSet.compressible.contains(type)
    }

    /// The header texts of JSON and HTML as Vapor writes them, where Vapor counts them compressible.
    static let knownCompressible: Set<String> = Set([HTTPMediaType.json, .html].filter(HTTPMediaTypeSet.compressible.contains).compactMap { type in
        var headers = HTTPHeaders()
        headers.contentType = type
        return headers.first(name: .contentType)
    })

    /// Whether an `Accept-Encoding` list takes gzip: by name, or else by `*`, unless its weight is zero.
    static func acceptsGzip(_ values: [String]) -> Bool {
        var weights: [String: Double] = [:]
        for item in values.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, name == "gzip" || name == "*" else { continue }
            weights[name] = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
        }
        return (weights["gzip"] ?? weights["*"] ?? 0) > 0
    }

    /// The body as one gzip member; cut into `pieces` (`CarriedPage`), its carried texts go in as the blocks compressed
    /// before, and the bytes around are compressed now.
    static func gzip(_ body: ByteBuffer, pieces: [CarriedPage.Piece]? = nil, allocator: ByteBufferAllocator) -> ByteBuffer? {
        body.withUnsafeReadableBytes { input -> ByteBuffer? in
            guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var parts: [wangge_gzip_piece] = []
            for piece in pieces ?? [.bytes(0..<input.count)] {
                switch piece {
                case .bytes(let range):
                    parts.append(wangge_gzip_piece(text: base + range.lowerBound, length: range.count, blocks: nil, blocks_length: 0, crc: 0))
                case .text(let text):
                    guard let blocks = text.blocks else { return nil }
                    parts.append(wangge_gzip_piece(text: nil, length: text.text.utf8.count, blocks: UnsafePointer(blocks.baseAddress!.assumingMemoryBound(to: UInt8.self)),
                                                   blocks_length: blocks.count, crc: text.crc))
                }
            }
            let capacity = wangge_gzip_pieces_bound(parts, parts.count)
            var out = allocator.buffer(capacity: capacity)
            let written = out.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { output in
                wangge_gzip_pieces(parts, parts.count, output.baseAddress?.assumingMemoryBound(to: UInt8.self), output.count, level)
            }
            return written > 0 ? out : nil
        }
    }
}
