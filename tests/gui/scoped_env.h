// GUI tests' scoped environment variable (the core reads ROPESCOPE_MEMORY_LIMIT on every estimate).
#pragma once

#include <cstdlib>

// Sets an environment variable for one scope.
struct ScopedEnv {
    const char* name;
    ScopedEnv(const char* n, const char* value) : name(n) { setenv(n, value, 1); }
    ~ScopedEnv() { unsetenv(name); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;
};
