// Per-frequency-band contribution to a head's expected logit by distance, from its frequency
// weights c_i (HeadStats::freq_re/freq_im): band b holds the consecutive pairs [first, end) and
// contributes  logit_scale * sum_{i in b} (Re c_i cos(theta_i D) - Im c_i sin(theta_i D));  the
// bands plus the passthrough term add up to RunStats::expected_logit.
#pragma once

#include <vector>

#include "head_stats.h"

namespace rs {

struct FreqBand {
    int first = 0, end = 0;  // frequency pairs i in [first, end), highest frequency first
};

// `bands` groups of consecutive pairs, as equal as possible (the first ones one larger);
// clamped to [1, half].
std::vector<FreqBand> frequency_bands(int half, int bands);

double band_contribution(const HeadStats& h, const std::vector<double>& inv_freq,
                         double logit_scale, const FreqBand& band, double distance);

}  // namespace rs
