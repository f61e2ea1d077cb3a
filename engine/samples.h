/* samples: building and merging decoded sample lists (codec_samples).
 *
 * Reads gather a series' samples from several sources (head buffers, head
 * chunks, blocks) that may overlap in time. Merging keeps time order and,
 * for equal timestamps, the sample of the higher-precedence source: the one
 * written later in WAL order (see DESIGN.md, "Duplicates and order").
 *
 * String values live in the list's own strbuf; appending one may move that
 * buffer, and samples_* rebases every slice when it does, so strs[i] stay
 * valid until the list is changed again by anything but samples_*.
 */
#ifndef ST_SAMPLES_H
#define ST_SAMPLES_H

#include "codec.h"

void samples_clear(codec_samples *s);
/* Appends one sample; for strings str is copied into s->strbuf. */
void samples_push(codec_samples *s, bool is_string, int64_t ts, uint64_t val, st_slice str);
/* Appends src[i] to dst. */
void samples_push_from(codec_samples *dst, bool is_string, const codec_samples *src, size_t i);
/* dst = merge(lo, hi) where hi wins on equal timestamps; both sorted and
 * duplicate-free; dst must be a third list. */
void samples_merge(codec_samples *dst, bool is_string, const codec_samples *lo,
                   const codec_samples *hi);
/* Keeps only mint <= ts <= maxt, in place. */
void samples_trim(codec_samples *s, int64_t mint, int64_t maxt);
/* Swaps the contents of two lists (cheap). */
void samples_swap(codec_samples *a, codec_samples *b);

#endif
