// Atomic file replacement: a killed or failing run never leaves a torn checkpoint. The
// contents go to `<path>.tmp-<pid>`, are fsync'ed, then renamed over `path` (atomic on
// POSIX file systems); on any failure the temp file is removed and `path` is untouched.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace ecgldm::train {

/** Appends bytes to the file being written; throws Error(Io) when the write fails. */
using ByteSink = std::function<void(const void* data, size_t size)>;

/**
 * Creates or replaces `path` with what `writeContents` sends to its sink. Every write,
 * the fsync and the rename are checked: a failure (disk full, quota, permissions) throws
 * Error(Io) naming the path and the system's reason. An exception thrown by
 * `writeContents` itself propagates unchanged, also after removing the temp file.
 */
void writeFileAtomically(const std::string& path,
                         const std::function<void(const ByteSink& sink)>& writeContents);

/** writeFileAtomically for contents already in memory (JSON sidecars, small files). */
void writeFileAtomically(const std::string& path, const std::string& contents);

}  // namespace ecgldm::train
