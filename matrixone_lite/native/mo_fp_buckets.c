/*
 * mo_fp_agg_buckets(buckets, spec, per_row, key, v1, ..., vn): mo_fp_agg of several primary-key
 * chunks of one table arm, in one scan of that arm (included by mo_native.c after mo_fp.c).
 *
 * Why: a large table is fingerprinted in chunks (`key >= lo AND key < hi`), and at T most of its
 * rows can sit in the history table, which has no index on the key (only on __mo_end, __mo_begin):
 * one statement per chunk scanned the whole history arm once per chunk, so the proof of a table
 * grew with rows x chunks (10,000,000 rows after a RESTORE: 379% of the RESTORE instead of ~120%).
 * Here each row of the arm is read once and added to the chunk its key falls in.
 *
 * buckets: "lo:hi;lo:hi;..." sorted by lo and not overlapping, '-' for an open end (only the first
 * lo and the last hi may be open). A row whose key is in no bucket is skipped; a key that is not an
 * INTEGER is an error (the fast path then leaves the statement to the general path). Each row's
 * hash is fp_hash_row's, so each bucket's text is exactly what mo_fp_agg returns for that chunk;
 * the result is the buckets' texts joined by '|'.
 */

typedef struct {
    sqlite3_int64 rows, sa, sb, xa, xb;
    int has_a, has_b;
} fp_acc;

typedef struct {
    fp_state base; /* encoding buffer, column kinds and the per-row fallback statement */
    int ready, k;  /* k buckets; -1: bad arguments */
    sqlite3_int64 *lo, *hi;
    char *lo_open, *hi_open;
    fp_acc *acc;
} fpb_state;

static int fpb_int(const char **p, sqlite3_int64 *v, char *open) {
    if (**p == '-' && ((*p)[1] == ':' || (*p)[1] == ';' || (*p)[1] == 0)) { (*p)++; *open = 1; *v = 0; return 1; }
    char *end;
    errno = 0;
    long long x = strtoll(*p, &end, 10);
    if (end == *p || errno != 0) return 0;
    *p = end;
    *v = x;
    *open = 0;
    return 1;
}

static int fpb_parse(fpb_state *s, const char *text) {
    if (text == NULL || *text == 0) return 0;
    int k = 1;
    for (const char *q = text; *q; q++) k += *q == ';';
    s->lo = sqlite3_malloc64(sizeof(sqlite3_int64) * (sqlite3_uint64)k);
    s->hi = sqlite3_malloc64(sizeof(sqlite3_int64) * (sqlite3_uint64)k);
    s->lo_open = sqlite3_malloc64((sqlite3_uint64)k);
    s->hi_open = sqlite3_malloc64((sqlite3_uint64)k);
    s->acc = sqlite3_malloc64(sizeof(fp_acc) * (sqlite3_uint64)k);
    if (!s->lo || !s->hi || !s->lo_open || !s->hi_open || !s->acc) return 0;
    memset(s->acc, 0, sizeof(fp_acc) * (size_t)k);
    const char *p = text;
    for (int i = 0; i < k; i++) {
        if (!fpb_int(&p, &s->lo[i], &s->lo_open[i]) || *p++ != ':' || !fpb_int(&p, &s->hi[i], &s->hi_open[i]))
            return 0;
        if (*p != (i + 1 < k ? ';' : 0)) return 0;
        p++;
        if (s->lo_open[i] && i > 0) return 0;
        if (!s->lo_open[i] && !s->hi_open[i] && s->lo[i] >= s->hi[i]) return 0;
        if (i > 0 && (s->hi_open[i - 1] || s->lo[i] < s->hi[i - 1])) return 0; /* sorted, no overlap */
    }
    s->k = k;
    return 1;
}

/* The bucket of key, or -1: the last bucket whose lo <= key, if key < its hi. */
static int fpb_find(const fpb_state *s, sqlite3_int64 key) {
    int a = 0, b = s->k - 1, found = -1;
    while (a <= b) {
        int m = a + (b - a) / 2;
        if (s->lo_open[m] || s->lo[m] <= key) { found = m; a = m + 1; }
        else b = m - 1;
    }
    if (found < 0 || (!s->hi_open[found] && key >= s->hi[found])) return -1;
    return found;
}

static void fpb_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    fpb_state *s = sqlite3_aggregate_context(ctx, sizeof(fpb_state));
    if (s == NULL) { sqlite3_result_error_nomem(ctx); return; }
    if (!s->ready) {
        s->ready = 1;
        if (argc < 5 || !fpb_parse(s, (const char *)sqlite3_value_text(argv[0])) ||
            !fp_parse(&s->base, sqlite3_value_text(argv[1]), argc - 4))
            s->k = -1;
    }
    if (s->k < 0) { sqlite3_result_error(ctx, "mo_fp_agg: bad buckets or column spec", -1); return; }
    if (sqlite3_value_type(argv[3]) != SQLITE_INTEGER) {
        sqlite3_result_error(ctx, "mo_fp_agg: general path needed (a key that is not an integer)", -1);
        return;
    }
    int i = fpb_find(s, sqlite3_value_int64(argv[3]));
    if (i < 0) return;
    sqlite3_int64 ab[2] = {0, 0};
    int got[2] = {1, 1};
    if (!fp_hash_row(ctx, &s->base, sqlite3_value_text(argv[2]), argv + 4, ab, got)) return;
    fp_acc *a = &s->acc[i];
    a->rows++;
    if (got[0]) fp_add(&s->base, ab[0], &a->sa, &a->xa, &a->has_a);
    if (got[1]) fp_add(&s->base, ab[1], &a->sb, &a->xb, &a->has_b);
}

static void fpb_final(sqlite3_context *ctx) {
    fpb_state *s = sqlite3_aggregate_context(ctx, 0);
    if (s == NULL || s->k <= 0) {
        sqlite3_result_null(ctx); /* no row at all: the caller's combine treats it as no row per bucket */
    } else if (s->base.overflow) {
        sqlite3_result_error(ctx, "integer overflow", -1);
    } else {
        sqlite3_str *out = sqlite3_str_new(sqlite3_context_db_handle(ctx));
        for (int i = 0; i < s->k; i++) {
            fp_acc *a = &s->acc[i];
            if (i) sqlite3_str_appendchar(out, 1, '|');
            if (a->rows == 0) { sqlite3_str_appendchar(out, 1, '0'); continue; }
            char *t = fp_result_text(a->rows, a->has_a ? &a->sa : NULL, a->has_b ? &a->sb : NULL, a->xa, a->xb);
            if (t == NULL) { sqlite3_free(sqlite3_str_finish(out)); sqlite3_result_error_nomem(ctx); goto done; }
            sqlite3_str_appendall(out, t);
            sqlite3_free(t);
        }
        if (sqlite3_str_errcode(out) != SQLITE_OK) { sqlite3_free(sqlite3_str_finish(out)); sqlite3_result_error_nomem(ctx); }
        else sqlite3_result_text(ctx, sqlite3_str_finish(out), -1, sqlite3_free);
    }
done:
    if (s == NULL) return;
    sqlite3_finalize(s->base.punt);
    sqlite3_free(s->base.buf);
    sqlite3_free(s->base.kinds);
    sqlite3_free(s->base.scales);
    sqlite3_free(s->lo);
    sqlite3_free(s->hi);
    sqlite3_free(s->lo_open);
    sqlite3_free(s->hi_open);
    sqlite3_free(s->acc);
    memset(s, 0, sizeof *s);
}
