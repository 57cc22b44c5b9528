import Foundation

/// Programs of this package as the test run built them.
public enum BuiltProgram {
    /// `.build/<config>/deepfake-scan`, next to the test bundle; nil when it was not built.
    public static var deepfakeScan: URL? {
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("deepfake-scan")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
