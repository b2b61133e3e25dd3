import Foundation

extension StringProtocol {
    /// The text without `blank` characters at either end, as `trimmingCharacters(in:)` gives it, but only
    /// asking Foundation when an end has any: a report's texts nearly never do, and Foundation's trimming
    /// of a report's description and category was 1.2–1.5% of the server's samples under full intake (0.2% so).
    public func trimmed(of blank: CharacterSet = .whitespacesAndNewlines) -> String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last, !blank.contains(first), !blank.contains(last) else {
            return trimmingCharacters(in: blank)
        }
        return String(self)
    }
}
