// Frequency bands and their logit contributions.
#include "freq_bands.h"

#include <algorithm>
#include <cmath>

namespace rs {

std::vector<FreqBand> frequency_bands(int half, int bands) {
    bands = std::clamp(bands, 1, std::max(half, 1));
    std::vector<FreqBand> out;
    int first = 0;
    for (int b = 0; b < bands; ++b) {
        const int size = half / bands + (b < half % bands ? 1 : 0);
        out.push_back({first, first + size});
        first += size;
    }
    return out;
}

double band_contribution(const HeadStats& h, const std::vector<double>& inv_freq,
                         double logit_scale, const FreqBand& band, double distance) {
    double sum = 0.0;
    for (int i = band.first; i < band.end; ++i)
        sum += h.freq_re[i] * std::cos(inv_freq[i] * distance) -
               h.freq_im[i] * std::sin(inv_freq[i] * distance);
    return logit_scale * sum;
}

}  // namespace rs
