import ArgumentParser
import Foundation
import Reports

/// `--out DIR` of `frames` and `faces`: created when missing; refused with one line and exit 2
/// when it is a file, cannot be created or written, or its list file would replace an input.
enum OutputFolder {
    /// Creates `folder` and returns the path of its list file (`frames.jsonl`, `faces.jsonl`).
    static func prepare(_ folder: String, listFile: String, inputs: [String]) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--out \(folder): is a file; name a folder")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("--out \(folder): cannot create the folder (\(reason(error)))")
        }
        let list = folder + "/" + listFile
        do {
            try OutputPaths.check([PlannedOutput(option: "--out", path: list)], inputs: inputs)
        } catch {
            throw ValidationError(error.description)
        }
        return list
    }

    /// "no such file or directory" rather than Foundation's NSError dump.
    private static func reason(_ error: Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        return error.localizedDescription
    }
}
