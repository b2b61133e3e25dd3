import CShims
import Vapor

/// A text that many pages carry whole, compressed once: a county's map outlines are 178 KB of the report form's 197 KB,
/// and compressing them again at every view was 0.82 of the form's 1.40 ms of CPU (BENCHMARKS.md). A page that
/// carries one says so (`Request.carries`), and `GzipMiddleware` copies these blocks into the page's stream in place of
/// compressing the same bytes again.
///
/// Compressed once, it can afford zlib's level 6, where a page's own bytes get level 1: the page goes out smaller too.
final class PrecompressedText: @unchecked Sendable {
    static let level: Int32 = 6

    let text: String
    /// Raw deflate blocks ending on a byte boundary, none marked the last (`wangge_deflate_blocks`). Written once in
    /// `init` and only read after, hence `@unchecked Sendable`.
    let blocks: UnsafeMutableRawBufferPointer
    let crc: UInt32

    /// Nil when zlib fails, which leaves the pages to compress the text as any other.
    init?(_ text: String) {
        var text = text
        text.makeContiguousUTF8()
        let length = text.utf8.count
        let capacity = wangge_deflate_blocks_bound(length)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        var crc: UInt32 = 0
        let written = text.utf8.withContiguousStorageIfAvailable { bytes in
            wangge_deflate_blocks(bytes.baseAddress, length, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), capacity, Self.level, &crc)
        } ?? 0
        guard written > 0 else {
            buffer.deallocate()
            return nil
        }
        let blocks = UnsafeMutableRawBufferPointer.allocate(byteCount: written, alignment: 1)
        blocks.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<written]))
        buffer.deallocate()
        (self.text, self.blocks, self.crc) = (text, blocks, crc)
    }

    deinit { blocks.deallocate() }

    /// Where the text first lies whole in `body`.
    func offset(in body: UnsafeRawBufferPointer) -> Int? {
        let found = text.utf8.withContiguousStorageIfAvailable { text in
            wangge_find_text(body.baseAddress?.assumingMemoryBound(to: UInt8.self), body.count, text.baseAddress, text.count)
        } ?? -1
        return found >= 0 ? found : nil
    }
}

private struct CarriedTextsKey: StorageKey {
    typealias Value = [PrecompressedText]
}

extension Request {
    /// Tells `GzipMiddleware` that this answer carries `text` whole, so it sends the blocks compressed before.
    func carries(_ text: PrecompressedText) {
        storage[CarriedTextsKey.self] = carriedTexts + [text]
    }

    var carriedTexts: [PrecompressedText] { storage[CarriedTextsKey.self] ?? [] }
}
