import Foundation
import Vapor
import WanggeDomain
import WanggePersistence

/// Photos on disk under `<data-dir>/photos/ab/<sha256>.<ext>`: named by content, never by the
/// client's file name, so a name cannot traverse paths and the same photo is stored once.
struct PhotoStore: Sendable {
    let root: String

    init(dataDirectory: String) {
        root = (dataDirectory as NSString).appendingPathComponent("photos")
    }

    struct Saved: Sendable {
        var photo: StoredPhoto
        /// False when the same bytes were already stored (then a failed transaction must not delete them).
        var isNew: Bool
    }

    /// Checks that the bytes are a JPEG, PNG or WebP of at most 10 MB, then writes them atomically.
    func save(_ data: Data, field: String = "photos") throws -> Saved {
        guard !data.isEmpty else {
            throw AppError.invalid("photo.empty", zh: "上传的照片是空文件。", en: "The photo is empty.", field: field)
        }
        guard data.count <= IntakeRules.maxPhotoBytes else {
            throw AppError.invalid("photo.too_large", zh: "每张照片不能超过 10 MB。", en: "Each photo is limited to 10 MB.", field: field)
        }
        guard let kind = ImageKind.sniff(data) else {
            throw AppError.invalid("photo.not_image", zh: "只能上传 JPEG、PNG 或 WebP 格式的照片。", en: "Only JPEG, PNG or WebP photos are accepted.", field: field)
        }
        let sha = SHA256Hex.of(data)
        let path = self.path(sha: sha, kind: kind)
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            return Saved(photo: StoredPhoto(sha256: sha, contentType: kind.contentType, size: data.count), isNew: false)
        }
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: temporary), options: .atomic)
        if rename(temporary, path) != 0 { try? fm.removeItem(atPath: temporary) }
        return Saved(photo: StoredPhoto(sha256: sha, contentType: kind.contentType, size: data.count), isNew: true)
    }

    func path(sha: String, kind: ImageKind) -> String {
        (root as NSString).appendingPathComponent("\(sha.prefix(2))/\(sha).\(kind.fileExtension)")
    }

    func path(sha: String, contentType: String) -> String? {
        guard sha.count == 64, sha.allSatisfy({ $0.isHexDigit }),
              let kind = ImageKind.allCases.first(where: { $0.contentType == contentType }) else { return nil }
        return path(sha: sha, kind: kind)
    }

    /// Removes files this request wrote when its transaction failed: no orphan files.
    func discard(_ saved: [Saved]) {
        for item in saved where item.isNew {
            if let path = path(sha: item.photo.sha256, contentType: item.photo.contentType) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }
}

extension Application {
    var photoStore: PhotoStore { PhotoStore(dataDirectory: wanggeConfig.dataDirectory) }
}

extension Request {
    /// Saves uploaded files, runs `body`, and removes the new files again if `body` fails.
    func withPhotos<T>(_ files: [File], _ body: ([StoredPhoto]) async throws -> T) async throws -> T {
        // Most reports have none: no store to find (a search of the application's storage).
        if files.isEmpty { return try await body([]) }
        let store = application.photoStore
        if files.count > IntakeRules.maxPhotos {
            throw AppError.invalid("case.photos", zh: "最多上传 9 张照片。", en: "At most 9 photos.", field: "photos")
        }
        var saved: [PhotoStore.Saved] = []
        do {
            for file in files where file.data.readableBytes > 0 || !file.filename.isEmpty {
                saved.append(try store.save(Data(buffer: file.data)))
            }
            return try await body(saved.map(\.photo))
        } catch {
            store.discard(saved)
            throw error
        }
    }
}
