import { readFileSync } from "node:fs";
import { DataError } from "./errors.js";

/** A short reason for a failed file-system call: "no such file or folder", "is a folder", … */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or folder";
    case "EISDIR":
      return "is a folder, not a file";
    case "ENOTDIR":
      return "a part of the path is not a folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "no space left on the device";
    case "EEXIST":
      return "already exists";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** Reads a whole file; a missing or unreadable file is a DataError naming it. */
export function readFileChecked(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DataError(describeFsError(err), path);
  }
}
