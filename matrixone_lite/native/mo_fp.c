/*
 * mo_fp_agg: the provider's whole content fingerprint of one table arm in one aggregate call per
 * row (included by mo_native.c, whose helpers it reuses; see matrixone_lite/execution/fingerprints.py).
 *
 * Why: the general path evaluates, per row, each column's encoding, MO_CONCAT_WS, MD5, two
 * SUBSTRINGs and CRC32s, then SUM and BIT_XOR through two derived tables (and, at T, through the
 * co-routine of lite's history UNION ALL): about 3 us per row, more than RESTORE's own copy.
 * Here one native call per row does the join, the MD5, both CRC32s and the five accumulators.
 *
 * Exactness, by construction: the caller passes, per column, either
 *   - the general path's own SQLite expression for that column's encoding, computed by SQLite
 *     (kind 'E'), which is then joined exactly as fn_concat_ws joins it; or
 *   - the raw column value, with a kind saying which general-path expression it stands for:
 *       'C'  COALESCE(CAST(x AS TEXT), 'N')      natively: NULL, INTEGER ("%lld"), valid UTF-8 TEXT
 *       'H'  COALESCE(HEX(x), 'N')               natively: what fn_hex does natively
 *       'J'  COALESCE(HEX(CAST(x AS TEXT)), 'N') natively: NULL, INTEGER, valid UTF-8 TEXT
 *       'Dk' COALESCE(MO_DEC_TEXT(x, k), 'N')    natively: NULL, TEXT already canonical at scale k
 * Any value outside those native cases (a REAL, a BLOB cast to text, invalid UTF-8, a decimal text
 * not in canonical form ...) makes the *row* go through the "punt" statement, argv[1]: the general
 * path's per-row SQL (its CRC32(SUBSTRING(MD5(MO_CONCAT_WS(...))))) with the row's values bound,
 * run on the same connection: the registered functions then answer, so the result is theirs.
 *
 * Accumulators as SQLite's COUNT(*), SUM and the native BIT_XOR give them: SUM is NULL until a
 * non-NULL value and raises "integer overflow"; BIT_XOR is 0 for rows of NULLs, NULL for no row.
 * The result is text: "0" for no row, else "rows sa sb xa xb" with "-" for a NULL sum.
 */

typedef struct {
    int ready, n;
    char *kinds;          /* per column: C H J D E */
    sqlite3_int64 *scales; /* per column: k of 'Dk' */
    sqlite3_stmt *punt;
    unsigned char *buf;
    sqlite3_int64 cap, len;
    sqlite3_int64 rows, sa, sb, xa, xb;
    int has_a, has_b, overflow;
} fp_state;

static int fp_reserve(fp_state *s, sqlite3_int64 extra) {
    if (s->len + extra + 1 <= s->cap) return 1;
    sqlite3_int64 cap = s->cap ? s->cap : 256;
    while (cap < s->len + extra + 1) cap *= 2;
    unsigned char *p = sqlite3_realloc64(s->buf, (sqlite3_uint64)cap);
    if (p == NULL) return 0;
    s->buf = p;
    s->cap = cap;
    return 1;
}

static int fp_put(fp_state *s, const unsigned char *p, sqlite3_int64 n) {
    if (!fp_reserve(s, n)) return 0;
    if (n > 0) memcpy(s->buf + s->len, p, (size_t)n);
    s->len += n;
    return 1;
}

static int fp_put_hex(fp_state *s, const unsigned char *p, sqlite3_int64 n) {
    static const char digits[] = "0123456789ABCDEF";
    if (!fp_reserve(s, 2 * n)) return 0;
    for (sqlite3_int64 i = 0; i < n; i++) {
        s->buf[s->len++] = (unsigned char)digits[p[i] >> 4];
        s->buf[s->len++] = (unsigned char)digits[p[i] & 15];
    }
    return 1;
}

/* The spec ("C H D10 E ..."): one kind per column; 0 when it does not match the arguments. */
static int fp_parse(fp_state *s, const unsigned char *spec, int n) {
    s->kinds = sqlite3_malloc64((sqlite3_uint64)n + 1);
    s->scales = sqlite3_malloc64(sizeof(sqlite3_int64) * ((sqlite3_uint64)n + 1));
    if (s->kinds == NULL || s->scales == NULL || spec == NULL) return 0;
    int i = 0;
    const unsigned char *p = spec;
    while (*p) {
        if (*p == ' ') { p++; continue; }
        if (i >= n || !strchr("CHJDE", *p)) return 0;
        s->kinds[i] = (char)*p++;
        s->scales[i] = 0;
        if (s->kinds[i] == 'D') {
            if (*p < '0' || *p > '9') return 0;
            while (*p >= '0' && *p <= '9') s->scales[i] = s->scales[i] * 10 + (*p++ - '0');
            if (s->scales[i] > 38) return 0;
        }
        if (*p && *p != ' ') return 0;
        i++;
    }
    s->n = n;
    return i == n;
}

/* Append column i's encoding; 1 done, 0 punt (not a native case), -1 out of memory. */
static int fp_encode(fp_state *s, int i, sqlite3_value *v, int *parts) {
    int t = sqlite3_value_type(v);
    char kind = s->kinds[i];
    char num[24];
    const unsigned char *p;
    sqlite3_int64 n;
    if (kind == 'E' && t == SQLITE_NULL) return 1; /* MO_CONCAT_WS skips a NULL (no separator) */
    if ((*parts)++ && !fp_put(s, (const unsigned char *)",", 1)) return -1;
    if (t == SQLITE_NULL) return fp_put(s, (const unsigned char *)"N", 1) ? 1 : -1;
    switch (kind) {
    case 'E': /* the general expression's value, joined as fn_concat_ws joins it (text_of) */
    case 'C': /* CAST(int AS TEXT) is "%lld"; CAST(text AS TEXT) is the text */
        if (t == SQLITE_INTEGER || (t == SQLITE_TEXT) || (kind == 'E' && t == SQLITE_BLOB)) {
            if (t == SQLITE_BLOB) {
                if (!bytes_of(v, &p, &n) || !utf8_valid(p, n)) return 0;
            } else if (!text_of(v, num, &p, &n)) {
                return 0;
            }
            return fp_put(s, p, n) ? 1 : -1;
        }
        return 0;
    case 'H': /* fn_hex's native cases */
        if (t == SQLITE_INTEGER) {
            int k = snprintf(num, sizeof num, "%llX", (unsigned long long)sqlite3_value_int64(v));
            return fp_put(s, (const unsigned char *)num, k) ? 1 : -1;
        }
        if (!bytes_of(v, &p, &n)) return 0;
        return fp_put_hex(s, p, n) ? 1 : -1;
    case 'J': /* HEX(CAST(x AS TEXT)): the text's bytes, for an integer its "%lld" */
        if (t != SQLITE_INTEGER && t != SQLITE_TEXT) return 0;
        if (!text_of(v, num, &p, &n)) return 0;
        return fp_put_hex(s, p, n) ? 1 : -1;
    case 'D': /* fn_dec_text's native case: canonical text at the scale, as is */
        if (t != SQLITE_TEXT) return 0;
        p = sqlite3_value_text(v);
        n = sqlite3_value_bytes(v);
        if (p == NULL || !dec_canonical(p, n, s->scales[i])) return 0;
        return fp_put(s, p, n) ? 1 : -1;
    }
    return 0;
}

/* The row through the general path's own per-row SQL; 1 done (a, b set, NULL: *got 0), 0 error set. */
static int fp_punt(sqlite3_context *ctx, fp_state *s, const unsigned char *sql, sqlite3_value **vals,
                   sqlite3_int64 ab[2], int got[2]) {
    sqlite3 *db = sqlite3_context_db_handle(ctx);
    int rc = SQLITE_OK;
    g_fallbacks++;
    if (s->punt == NULL) rc = sqlite3_prepare_v2(db, (const char *)sql, -1, &s->punt, NULL);
    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(s->punt) > s->n) rc = SQLITE_RANGE;
    for (int i = 0; rc == SQLITE_OK && i < sqlite3_bind_parameter_count(s->punt); i++)
        rc = sqlite3_bind_value(s->punt, i + 1, vals[i]);
    if (rc == SQLITE_OK) rc = sqlite3_step(s->punt);
    if (rc == SQLITE_ROW && sqlite3_column_count(s->punt) == 2) {
        for (int k = 0; k < 2; k++) {
            int t = sqlite3_column_type(s->punt, k);
            got[k] = t != SQLITE_NULL;
            ab[k] = sqlite3_column_int64(s->punt, k);
            if (t != SQLITE_NULL && t != SQLITE_INTEGER) { /* not a CRC32: let the general path answer */
                sqlite3_reset(s->punt);
                sqlite3_result_error(ctx, "mo_fp_agg: general path needed", -1);
                return 0;
            }
        }
        sqlite3_reset(s->punt);
        return 1;
    }
    if (rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
    else {
        sqlite3_result_error(ctx, sqlite3_errmsg(db), -1);
        sqlite3_result_error_code(ctx, sqlite3_extended_errcode(db));
    }
    if (s->punt != NULL) sqlite3_reset(s->punt);
    return 0;
}

static void fp_add(fp_state *s, sqlite3_int64 v, sqlite3_int64 *sum, sqlite3_int64 *x, int *has) {
    if (__builtin_add_overflow(*sum, v, sum)) s->overflow = 1;
    *x ^= v;
    *has = 1;
}

/* One row's two CRC32 halves (ab; got[k] 0 for a NULL half); 0: an error is set on ctx. */
static int fp_hash_row(sqlite3_context *ctx, fp_state *s, const unsigned char *punt_sql, sqlite3_value **vals,
                       sqlite3_int64 ab[2], int got[2]) {
    s->len = 0;
    int parts = 0, punt = 0;
    for (int i = 0; i < s->n && !punt; i++) {
        int r = fp_encode(s, i, vals[i], &parts);
        if (r < 0) { sqlite3_result_error_nomem(ctx); return 0; }
        punt = r == 0;
    }
    got[0] = got[1] = 1;
    if (punt) return fp_punt(ctx, s, punt_sql, vals, ab, got);
    char hex[33];
    md5_hex(s->buf, s->len, hex);
    ab[0] = (sqlite3_int64)crc32_of((const unsigned char *)hex, 16);
    ab[1] = (sqlite3_int64)crc32_of((const unsigned char *)hex + 16, 16);
    return 1;
}

static void fp_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    fp_state *s = sqlite3_aggregate_context(ctx, sizeof(fp_state));
    if (s == NULL) { sqlite3_result_error_nomem(ctx); return; }
    if (!s->ready) {
        s->ready = 1;
        if (argc < 3 || !fp_parse(s, sqlite3_value_text(argv[0]), argc - 2)) s->n = -1;
    }
    if (s->n < 0) { sqlite3_result_error(ctx, "mo_fp_agg: bad column spec", -1); return; }
    sqlite3_int64 ab[2] = {0, 0};
    int got[2] = {1, 1};
    if (!fp_hash_row(ctx, s, sqlite3_value_text(argv[1]), argv + 2, ab, got)) return;
    s->rows++;
    if (got[0]) fp_add(s, ab[0], &s->sa, &s->xa, &s->has_a);
    if (got[1]) fp_add(s, ab[1], &s->sb, &s->xb, &s->has_b);
}

/* "rows sa sb xa xb" ("-" for a NULL sum), sqlite3_malloc'd; NULL when out of memory. */
static char *fp_result_text(sqlite3_int64 rows, const sqlite3_int64 *sa, const sqlite3_int64 *sb, sqlite3_int64 xa,
                            sqlite3_int64 xb) {
    char a[24] = "-", b[24] = "-";
    if (sa != NULL) snprintf(a, sizeof a, "%lld", (long long)*sa);
    if (sb != NULL) snprintf(b, sizeof b, "%lld", (long long)*sb);
    return sqlite3_mprintf("%lld %s %s %lld %lld", (long long)rows, a, b, (long long)xa, (long long)xb);
}

static void fp_final(sqlite3_context *ctx) {
    fp_state *s = sqlite3_aggregate_context(ctx, 0);
    if (s == NULL) { sqlite3_result_text(ctx, "0", 1, SQLITE_STATIC); return; }
    if (s->overflow) sqlite3_result_error(ctx, "integer overflow", -1);
    else if (s->rows == 0) sqlite3_result_text(ctx, "0", 1, SQLITE_STATIC);
    else {
        char *out = fp_result_text(s->rows, s->has_a ? &s->sa : NULL, s->has_b ? &s->sb : NULL, s->xa, s->xb);
        if (out == NULL) sqlite3_result_error_nomem(ctx);
        else sqlite3_result_text(ctx, out, -1, sqlite3_free);
    }
    sqlite3_finalize(s->punt);
    sqlite3_free(s->buf);
    sqlite3_free(s->kinds);
    sqlite3_free(s->scales);
    s->punt = NULL;
    s->buf = NULL;
    s->kinds = NULL;
    s->scales = NULL;
}
