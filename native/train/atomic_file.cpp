#include "train/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace ecgldm::train {

namespace {

[[noreturn]] void throwIo(const std::string& action, const std::string& path, int err) {
  throw Error(ErrorCode::Io, "cannot " + action + " " + path + ": " + std::strerror(err));
}

std::string parentDirectory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Makes the rename itself durable. Best effort: some file systems refuse fsync on a
// directory, and by now the new file is complete and in place either way.
void syncDirectory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  (void)::close(fd);
}

// Owns the temp file until it has been renamed into place; removes it otherwise.
class TempFile {
 public:
  explicit TempFile(const std::string& finalPath)
      : path_(finalPath + ".tmp-" + std::to_string(::getpid())) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throwIo("create", path_, errno);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  ~TempFile() {
    if (fd_ >= 0) (void)::close(fd_);
    if (!committed_) (void)::unlink(path_.c_str());
  }

  void write(const void* data, size_t size) {
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {  // write() may be partial or interrupted
      ssize_t written = ::write(fd_, bytes, size);
      if (written < 0) {
        if (errno == EINTR) continue;
        throwIo("write", path_, errno);
      }
      bytes += written;
      size -= static_cast<size_t>(written);
    }
  }

  void commitAs(const std::string& finalPath) {
    if (::fsync(fd_) != 0) throwIo("fsync", path_, errno);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throwIo("close", path_, errno);  // NFS reports late errors here
    if (::rename(path_.c_str(), finalPath.c_str()) != 0)
      throwIo("rename " + path_ + " to", finalPath, errno);
    committed_ = true;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void writeFileAtomically(const std::string& path,
                         const std::function<void(const ByteSink& sink)>& writeContents) {
  check(!path.empty(), ErrorCode::ArgRange, "expected a non-empty file path");
  TempFile temp(path);
  writeContents([&temp](const void* data, size_t size) { temp.write(data, size); });
  temp.commitAs(path);
  syncDirectory(parentDirectory(path));
}

void writeFileAtomically(const std::string& path, const std::string& contents) {
  writeFileAtomically(path, [&contents](const ByteSink& sink) {
    sink(contents.data(), contents.size());
  });
}

}  // namespace ecgldm::train
