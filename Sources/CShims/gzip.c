#define _GNU_SOURCE
#include "shims.h"

#include <string.h>
#include <zlib.h>

// A flush's empty stored block (up to 5 bytes after the bits pending) beside zlib's bound.
size_t wangge_deflate_blocks_bound(size_t length) {
    return compressBound((uLong)length) + 16;
}

size_t wangge_deflate_blocks(const uint8_t *bytes, size_t length, uint8_t *out, size_t capacity, int level, uint32_t *crc) {
    if (length > UINT32_MAX || capacity > UINT32_MAX) return 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    // -15: raw deflate, no header or check of its own; the page's member carries them.
    if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    stream.next_in = (Bytef *)bytes;
    stream.avail_in = (uInt)length;
    stream.next_out = out;
    stream.avail_out = (uInt)capacity;
    // A sync flush ends the blocks on a byte boundary and marks none of them the last.
    int result = deflate(&stream, Z_SYNC_FLUSH);
    int complete = result == Z_OK && stream.avail_in == 0 && stream.avail_out > 0;
    size_t written = stream.total_out;
    deflateEnd(&stream);
    *crc = (uint32_t)crc32(crc32(0, Z_NULL, 0), bytes, (uInt)length);
    return complete ? written : 0;
}

size_t wangge_gzip_pieces_bound(const wangge_gzip_piece *pieces, size_t count) {
    size_t bound = 18 + 16;
    for (size_t i = 0; i < count; i++) {
        bound += pieces[i].blocks ? pieces[i].blocks_length : compressBound((uLong)pieces[i].length) + 16;
    }
    return bound;
}

static void put_le32(uint8_t *at, uint32_t value) {
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(value >> (8 * i));
}

size_t wangge_gzip_pieces(const wangge_gzip_piece *pieces, size_t count, uint8_t *out, size_t capacity, int level) {
    if (capacity > UINT32_MAX || capacity < 18) return 0;
    // RFC 1952: the magic, deflate, no flags, no time, no extra flags, Unix.
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    memcpy(out, header, sizeof header);
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    stream.next_out = out + sizeof header;
    stream.avail_out = (uInt)(capacity - sizeof header - 8);
    uLong crc = crc32(0, Z_NULL, 0);
    uint64_t total = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < count; i++) {
        const wangge_gzip_piece *piece = &pieces[i];
        if (piece->length > UINT32_MAX) { ok = 0; break; }
        if (piece->blocks == NULL) {
            // Before blocks compressed apart, a full flush: the stream stops on a byte boundary, and
            // what it compresses after them never refers back across them.
            int before_blocks = i + 1 < count && pieces[i + 1].blocks != NULL;
            stream.next_in = (Bytef *)piece->text;
            stream.avail_in = (uInt)piece->length;
            int result = deflate(&stream, before_blocks ? Z_FULL_FLUSH : Z_NO_FLUSH);
            ok = (result == Z_OK || result == Z_BUF_ERROR) && stream.avail_in == 0 && stream.avail_out > 0;
            crc = crc32(crc, piece->text, (uInt)piece->length);
        } else {
            // The stream stands on a byte boundary here: at its start, after a full flush or after other such blocks.
            if (piece->blocks_length >= stream.avail_out) { ok = 0; break; }
            memcpy(stream.next_out, piece->blocks, piece->blocks_length);
            stream.next_out += piece->blocks_length;
            stream.avail_out -= (uInt)piece->blocks_length;
            crc = crc32_combine(crc, piece->crc, (z_off_t)piece->length);
        }
        total += piece->length;
    }
    // The last block: whatever is pending, or an empty one after blocks compressed apart.
    if (ok) {
        stream.next_in = Z_NULL;
        stream.avail_in = 0;
        ok = deflate(&stream, Z_FINISH) == Z_STREAM_END;
    }
    size_t written = ok ? (size_t)(stream.next_out - out) : 0;
    deflateEnd(&stream);
    if (!ok || written + 8 > capacity) return 0;
    put_le32(out + written, (uint32_t)crc);
    put_le32(out + written + 4, (uint32_t)total);  // ISIZE: the length modulo 2^32
    return written + 8;
}

long wangge_find_text(const uint8_t *body, size_t body_length, const uint8_t *text, size_t text_length) {
    if (text_length == 0) return -1;
    const uint8_t *hit = memmem(body, body_length, text, text_length);  // glibc's, which Swift's Glibc does not declare
    return hit ? (long)(hit - body) : -1;
}
