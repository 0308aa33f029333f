// The journal of a running study: `<out>.parts/`, one small file per finished unit, each written
// to a temporary name, flushed and renamed, so a unit is either wholly recorded or not at all and
// a killed study loses nothing it finished. The study file is assembled from it.
#pragma once

#include <map>
#include <string>

#include "study_spec.h"

namespace rs {

class StudyJournal {
  public:
    // Opens (creating) the folder `dir` for `header` and `shard`; throws FileError naming the
    // folder when it holds the journal of another study or shard, or cannot be created.
    StudyJournal(std::string dir, const StudyHeader& header, const std::string& shard);

    // The units recorded so far; throws FileError naming a damaged unit file.
    std::map<long, UnitResult> load() const;
    void commit(const UnitResult& unit) const;  // atomic: temp file, fsync, rename
    void remove() const;                        // after the study file is complete
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
    const StudyHeader& header_;
    std::string id_;
};

}  // namespace rs
