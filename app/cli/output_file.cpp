// Temporary file + rename for the CLI's text outputs.
#include "app/cli/output_file.h"

#include <filesystem>
#include <fstream>

#include "error.h"

namespace rs::cli {

void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
    const std::string tmp = path + ".partial";
    {
        std::ofstream f(tmp, std::ios::binary);
        if (!f) throw FileError(path, "cannot create the file");
        write(f);
        f.flush();
        if (!f) {
            f.close();
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw FileError(path, "cannot write the file (disk full?)");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw FileError(path, "cannot replace the file");
    }
}

}  // namespace rs::cli
