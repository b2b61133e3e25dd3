/// Masking of personal data for roles that do not need it in full.
public enum PersonalData {
    /// `13905710001` → `139****0001`; short numbers keep only their last two digits.
    public static func maskPhone(_ phone: String) -> String {
        let chars = Array(phone)
        guard chars.count >= 7 else {
            return String(repeating: "*", count: max(0, chars.count - 2)) + String(chars.suffix(2))
        }
        return String(chars.prefix(3)) + "****" + String(chars.suffix(4))
    }

    /// ID card numbers keep the first 6 (region) and last 4 characters.
    public static func maskIDNumber(_ id: String) -> String {
        let chars = Array(id)
        guard chars.count > 10 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(6)) + String(repeating: "*", count: chars.count - 10) + String(chars.suffix(4))
    }
}
