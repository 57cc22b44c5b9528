import ArgumentParser
import Foundation
import Reports

/// `--out DIR` of `frames`, `faces` and `explain`: created when missing; refused with one line
/// and exit 2 when it is a file, cannot be created or written, or its list file would replace
/// an input.
enum OutputFolder {
    /// Creates `folder` and returns the path of its list file (`frames.jsonl`, `faces.jsonl`).
    static func prepare(_ folder: String, listFile: String, inputs: [String]) throws -> String {
        try create(folder)
        let list = folder + "/" + listFile
        do {
            try OutputPaths.check([PlannedOutput(option: "--out", path: list)], inputs: inputs)
        } catch {
            throw refusal(error.description)
        }
        return list
    }

    /// Creates `folder` (and its parents) unless it exists as a folder.
    static func create(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw refusal("--out \(folder): is a file; name a folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw refusal("--out \(folder): cannot create the folder (\(reason(error)))")
        }
    }

    private static func refusal(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(EntryPoint.usageErrorCode)
    }

    /// "no such file or directory" rather than Foundation's NSError text.
    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey]
        if let posix = underlying as? POSIXError { return String(cString: strerror(posix.code.rawValue)).lowercased() }
        if let nsError = underlying as? NSError, nsError.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(nsError.code))).lowercased()
        }
        return error.localizedDescription
    }
}
