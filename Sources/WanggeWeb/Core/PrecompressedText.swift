import CShims
import Vapor

/// A text that many pages carry whole, compressed once: a county's map outlines are 178 KB of the report form's 197 KB,
/// and compressing them again at every view was 0.82 of the form's 1.40 ms of CPU (BENCHMARKS.md). A page that
/// carries one writes its mark (`Request.carry`), and `GzipMiddleware` copies these blocks into the page's stream in place of
/// compressing the same bytes again.
///
/// Compressed once, it can afford zlib's level 6, where a page's own bytes get level 1: the page goes out smaller too.
final class PrecompressedText: @unchecked Sendable {
    static let level: Int32 = 6

    let text: String
    /// Raw deflate blocks ending on a byte boundary, none marked the last (`wangge_deflate_blocks`). Written once in
    /// `init` and only read after, hence `@unchecked Sendable`. Nil if zlib failed: a page carrying the text then goes
    /// out plain.
    let blocks: UnsafeMutableRawBufferPointer?
    let crc: UInt32

    init(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        let length = text.utf8.count
        let capacity = wangge_deflate_blocks_bound(length)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        var crc: UInt32 = 0
        let written = text.utf8.withContiguousStorageIfAvailable { bytes in
            wangge_deflate_blocks(bytes.baseAddress, length, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity, Self.level, &crc)
        } ?? 0
        var blocks: UnsafeMutableRawBufferPointer?
        if written > 0 {
            blocks = UnsafeMutableRawBufferPointer.allocate(byteCount: written, alignment: 1)
            blocks?.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<written]))
        }
        (self.text, self.blocks, self.crc) = (text, blocks, crc)
    }

    deinit { blocks?.deallocate() }
}

private struct CarriedTextsKey: StorageKey {
    typealias Value = [PrecompressedText]
}

extension Request {
    /// A mark for the page in place of `text`, which `GzipMiddleware` puts back: as the blocks compressed before for a
    /// client that takes gzip, as the text for one that does not. The text never passes through the page's template,
    /// which copied a county's outlines twice more at every view.
    func carry(_ text: PrecompressedText) -> String {
        var texts = carriedTexts
        if let index = texts.firstIndex(where: { $0 === text }) { return PrecompressedText.mark(index) }
        texts.append(text)
        storage[CarriedTextsKey.self] = texts
        return PrecompressedText.mark(texts.count - 1)
    }

    var carriedTexts: [PrecompressedText] { storage[CarriedTextsKey.self] ?? [] }
}

extension PrecompressedText {
    /// A comment no page writes otherwise: user data reaches pages escaped, and the token is this process's own.
    static func mark(_ index: Int) -> String { "<!--carried \(index) \(markToken)-->" }

    private static let markToken = UUID().uuidString
}

/// A page cut where the marks of the texts it carries lie (`Request.carry`): its own bytes between, and the texts.
struct CarriedPage {
    enum Piece {
        case bytes(Range<Int>)
        case text(PrecompressedText)
    }

    let pieces: [Piece]
    /// The page's length with the texts in place of their marks.
    let length: Int

    /// Nil when the body holds none of the marks.
    init?(_ body: ByteBuffer?, texts: [PrecompressedText]) {
        guard !texts.isEmpty, let body else { return nil }
        var found: [(at: Int, end: Int, text: PrecompressedText)] = []
        body.withUnsafeReadableBytes { page in
            let base = page.baseAddress?.assumingMemoryBound(to: UInt8.self)
            for (index, text) in texts.enumerated() {
                var mark = PrecompressedText.mark(index)
                mark.withUTF8 { mark in
                    var from = 0
                    while case let at = wangge_find_text(base.map { $0 + from }, page.count - from, mark.baseAddress, mark.count), at >= 0 {
                        found.append((from + at, from + at + mark.count, text))
                        from += at + mark.count
                    }
                }
            }
        }
        guard !found.isEmpty else { return nil }
        var pieces: [Piece] = []
        var next = 0, length = 0
        for (at, end, text) in found.sorted(by: { $0.at < $1.at }) {
            if at > next { pieces.append(.bytes(next..<at)) }
            pieces.append(.text(text))
            length += at - next + text.text.utf8.count
            next = end
        }
        if next < body.readableBytes { pieces.append(.bytes(next..<body.readableBytes)) }
        (self.pieces, self.length) = (pieces, length + body.readableBytes - next)
    }

    /// The page with the texts in place, for a client that does not take gzip.
    func joined(_ body: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: length)
        for piece in pieces {
            switch piece {
            case .bytes(let range): out.writeImmutableBuffer(body.getSlice(at: body.readerIndex + range.lowerBound, length: range.count)!)
            case .text(let text): out.writeString(text.text)
            }
        }
        return out
    }
}
