/* lex: the SQL lexer (see sql.h and sql_int.h).
 *
 * Token rules are Trino's (SqlBase.g4), case-insensitive:
 *  - identifiers [A-Za-z_][A-Za-z0-9_@$]*, "quoted" ("" is a quote),
 *    `backquoted` (lexed so that the parser can refuse them by name);
 *  - strings 'text' ('' is a quote), U&'text', binary X'hex';
 *  - numbers: 12 (integer), 1.5 .5 5. (decimal), 1e3 1.5E-2 (double); digits
 *    followed by letters lex as one word (Trino's DIGIT_IDENTIFIER, the
 *    longest match), which is one of Timestream's interval literals when the
 *    letters are a unit (5m, 10ms, 3month) and an error otherwise;
 *  - comments -- to the end of the line and non-nesting block comments;
 *    whitespace is space, tab, CR and LF;
 *  - operators = <> != < <= > >= + - * / % || and -> (lambdas);
 *  - ? and @name parameters (Timestream's PrepareQuery), :: (PostgreSQL's
 *    cast), and measure_value::double (also ::bigint, ::varchar, ::boolean,
 *    ::timestamp, ::multi) as one identifier, as Timestream names them.
 *
 * What no rule matches, and an unterminated string, quoted identifier or
 * comment, becomes T_BAD (its first character, or "/" "*"); lexing stops
 * there, as the parser cannot get past it. Columns count characters: bytes
 * that are not UTF-8 continuation bytes.
 */
#include "sql_int.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    bool reserved;
} kw_table[] = {
#define X(n, r) {#n, r},
    SQL_KEYWORDS(X)
#undef X
};

static int upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

/* Compares s[0..n) (any case) with an upper-case name. */
static int kw_cmp(const char *s, size_t n, const char *name)
{
    size_t i = 0;
    for (; i < n && name[i]; i++) {
        int a = upper((unsigned char)s[i]), b = (unsigned char)name[i];
        if (a != b) return a < b ? -1 : 1;
    }
    if (i < n) return 1;
    return name[i] ? -1 : 0;
}

sql_kw sql_kw_lookup(const char *s, size_t n)
{
    if (n < 2 || n > 17) return KW_NONE;
    size_t lo = 0, hi = ST_ARRAY_LEN(kw_table);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = kw_cmp(s, n, kw_table[mid].name);
        if (c == 0) return (sql_kw)(mid + 1);
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return KW_NONE;
}

const char *sql_kw_name(sql_kw kw)
{
    return kw > KW_NONE && kw < KW_COUNT ? kw_table[kw - 1].name : "";
}

bool sql_kw_reserved(sql_kw kw) { return kw > KW_NONE && kw < KW_COUNT && kw_table[kw - 1].reserved; }

bool sql_is_reserved(const char *s, size_t n) { return sql_kw_reserved(sql_kw_lookup(s, n)); }

sql_unit sql_unit_lookup(const char *s, size_t n)
{
    static const struct {
        const char *name;
        sql_unit unit;
    } units[] = {
        {"NS", SQL_UNIT_NANOSECOND}, {"NANOSECOND", SQL_UNIT_NANOSECOND},
        {"US", SQL_UNIT_MICROSECOND}, {"MICROSECOND", SQL_UNIT_MICROSECOND},
        {"MS", SQL_UNIT_MILLISECOND}, {"MILLISECOND", SQL_UNIT_MILLISECOND},
        {"S", SQL_UNIT_SECOND}, {"SECOND", SQL_UNIT_SECOND},
        {"M", SQL_UNIT_MINUTE}, {"MINUTE", SQL_UNIT_MINUTE},
        {"H", SQL_UNIT_HOUR}, {"HOUR", SQL_UNIT_HOUR},
        {"D", SQL_UNIT_DAY}, {"DAY", SQL_UNIT_DAY},
        {"Y", SQL_UNIT_YEAR}, {"YEAR", SQL_UNIT_YEAR},
        {"MONTH", SQL_UNIT_MONTH},
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(units); i++)
        if (kw_cmp(s, n, units[i].name) == 0) return units[i].unit;
    return SQL_UNIT_NONE;
}

void sql_exp_name(int exp, char *out, size_t cap)
{
    static const char *const tok_names[T_KIND_COUNT] = {
        [T_EOF] = "<EOF>", [T_IDENT] = "<identifier>", [T_STRING] = "<string>",
        [T_INTEGER] = "<integer>", [T_LPAREN] = "'('", [T_RPAREN] = "')'",
        [T_LBRACKET] = "'['", [T_RBRACKET] = "']'", [T_COMMA] = "','", [T_DOT] = "'.'",
        [T_SEMI] = "';'", [T_STAR] = "'*'", [T_PLUS] = "'+'", [T_MINUS] = "'-'",
        [T_SLASH] = "'/'", [T_PERCENT] = "'%'", [T_CONCAT] = "'||'", [T_EQ] = "'='",
        [T_NE] = "'<>'", [T_LT] = "'<'", [T_LE] = "'<='", [T_GT] = "'>'", [T_GE] = "'>='",
        [T_ARROW] = "'->'", [T_DCOLON] = "'::'",
    };
    const char *s = NULL;
    if (exp >= 0 && exp < T_KIND_COUNT) s = tok_names[exp];
    else if (exp > EXP_KW && exp < EXP_KW + KW_COUNT) {
        snprintf(out, cap, "'%s'", sql_kw_name((sql_kw)(exp - EXP_KW)));
        return;
    } else if (exp == EXP_EXPRESSION) s = "<expression>";
    else if (exp == EXP_PREDICATE) s = "<predicate>";
    else if (exp == EXP_QUERY) s = "<query>";
    else if (exp == EXP_TYPE) s = "<type>";
    snprintf(out, cap, "%s", s ? s : "?");
}

/* ------------------------------------------------------------------ lexer */

typedef struct lexer {
    const char *q, *p, *end;
    uint32_t line, col;
    sql_token *t;
    size_t nt, cap;
    bool too_many;
} lexer;

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_ident_start(int c) { return is_letter(c) || c == '_'; }
static bool is_ident_char(int c) { return is_letter(c) || is_digit(c) || c == '_' || c == '@' || c == '$'; }
/* Trino's DIGIT_IDENTIFIER: DIGIT (LETTER | DIGIT | '_')+ */
static bool is_word_char(int c) { return is_letter(c) || is_digit(c) || c == '_'; }

/* Moves over k bytes, counting lines and characters. */
static void adv(lexer *lx, size_t k)
{
    while (k-- && lx->p < lx->end) {
        unsigned char c = (unsigned char)*lx->p++;
        if (c == '\n') {
            lx->line++;
            lx->col = 1;
        } else if ((c & 0xC0) != 0x80) {
            lx->col++;
        }
    }
}

/* Adds a token of len bytes at the current position and moves past it. */
static void emit(lexer *lx, tok_kind kind, size_t len, uint8_t flags)
{
    if (lx->nt == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 64;
        lx->t = st_realloc(lx->t, lx->cap * sizeof *lx->t);
    }
    sql_token *t = &lx->t[lx->nt++];
    t->kind = (uint8_t)kind;
    t->flags = flags;
    t->kw = KW_NONE;
    t->off = (uint32_t)(lx->p - lx->q);
    t->len = (uint32_t)len;
    t->line = lx->line;
    t->col = lx->col;
    if (kind == T_IDENT) t->kw = (uint16_t)sql_kw_lookup(lx->p, len);
    adv(lx, len);
    if (lx->nt >= SQL_MAX_TOKENS) lx->too_many = true;
}

/* Length of the UTF-8 sequence starting at p (1 for a stray byte). */
static size_t char_len(const char *p, const char *end)
{
    unsigned char c = (unsigned char)*p;
    size_t need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    size_t i = 1;
    while (i < need && p + i < end && ((unsigned char)p[i] & 0xC0) == 0x80) i++;
    return i;
}

/* Finds the closing quote of a token whose body starts at s (a doubled
 * quote is part of the body). Returns the closing quote or NULL. */
static const char *closing(const char *s, const char *end, char quote, bool *escaped)
{
    for (const char *c = s; c < end; c++) {
        if (*c != quote) continue;
        if (c + 1 < end && c[1] == quote) {
            *escaped = true;
            c++;
            continue;
        }
        return c;
    }
    return NULL;
}

/* Numbers and digit-led words. */
static void lex_number(lexer *lx)
{
    const char *s = lx->p, *q = s, *end = lx->end;
    bool dot = false, exp = false;
    while (q < end && is_digit((unsigned char)*q)) q++;
    if (q < end && *q == '.') {
        dot = true;
        q++;
        while (q < end && is_digit((unsigned char)*q)) q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        const char *r = q + 1;
        if (r < end && (*r == '+' || *r == '-')) r++;
        if (r < end && is_digit((unsigned char)*r)) {
            exp = true;
            q = r;
            while (q < end && is_digit((unsigned char)*q)) q++;
        }
    }
    size_t numlen = (size_t)(q - s);
    if (is_digit((unsigned char)*s)) {
        const char *w = s;
        while (w < end && is_word_char((unsigned char)*w)) w++;
        size_t wlen = (size_t)(w - s);
        if (wlen > numlen) {
            const char *u = s;
            while (u < w && is_digit((unsigned char)*u)) u++;
            bool unit = sql_unit_lookup(u, (size_t)(w - u)) != SQL_UNIT_NONE;
            emit(lx, unit ? T_INTERVAL : T_DIGIT_IDENT, wlen, 0);
            return;
        }
    }
    emit(lx, exp ? T_DOUBLE : dot ? T_DECIMAL : T_INTEGER, numlen, 0);
}

/* measure_value::double and its siblings: Timestream's column names. */
static size_t measure_value_len(const char *p, const char *end, size_t identlen)
{
    static const char *const types[] = {"DOUBLE", "BIGINT", "VARCHAR", "BOOLEAN", "TIMESTAMP", "MULTI"};
    if (kw_cmp(p, identlen, "MEASURE_VALUE") != 0) return 0;
    const char *c = p + identlen;
    if (end - c < 3 || c[0] != ':' || c[1] != ':') return 0;
    const char *w = c + 2, *we = w;
    while (we < end && is_ident_char((unsigned char)*we)) we++;
    for (size_t i = 0; i < ST_ARRAY_LEN(types); i++)
        if (kw_cmp(w, (size_t)(we - w), types[i]) == 0) return (size_t)(we - p);
    return 0;
}

int sql_lex(const char *q, size_t n, sql_token **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (n >= UINT32_MAX) return ST_ELIMIT;
    lexer lx = {.q = q, .p = q, .end = q + n, .line = 1, .col = 1};
    while (lx.p < lx.end && !lx.too_many) {
        const char *p = lx.p, *end = lx.end;
        unsigned char c = (unsigned char)*p;
        size_t left = (size_t)(end - p);
        char c1 = left > 1 ? p[1] : 0;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            adv(&lx, 1);
            continue;
        }
        if (c == '-' && c1 == '-') {
            const char *e = memchr(p, '\n', left);
            adv(&lx, e ? (size_t)(e - p) : left);
            continue;
        }
        if (c == '/' && c1 == '*') {
            const char *e = NULL;
            for (const char *x = p + 2; x + 1 < end; x++)
                if (x[0] == '*' && x[1] == '/') {
                    e = x + 2;
                    break;
                }
            if (!e) {
                emit(&lx, T_BAD, 2, 0);
                break;
            }
            adv(&lx, (size_t)(e - p));
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            bool esc = false;
            const char *e = closing(p + 1, end, (char)c, &esc);
            if (!e) {
                emit(&lx, T_BAD, 1, 0);
                break;
            }
            emit(&lx, c == '\'' ? T_STRING : c == '"' ? T_QIDENT : T_BQIDENT, (size_t)(e + 1 - p),
                 esc ? TF_ESCAPED : 0);
            continue;
        }
        if ((c == 'U' || c == 'u') && c1 == '&' && left > 2 && p[2] == '\'') {
            bool esc = false;
            const char *e = closing(p + 3, end, '\'', &esc);
            if (e) {
                emit(&lx, T_USTRING, (size_t)(e + 1 - p), esc ? TF_ESCAPED : 0);
                continue;
            }
        }
        if ((c == 'X' || c == 'x') && c1 == '\'') {
            const char *e = memchr(p + 2, '\'', left - 2);
            if (e) {
                emit(&lx, T_BINARY, (size_t)(e + 1 - p), 0);
                continue;
            }
        }
        if (is_digit(c) || (c == '.' && is_digit((unsigned char)c1))) {
            lex_number(&lx);
            continue;
        }
        if (is_ident_start(c)) {
            const char *e = p;
            while (e < end && is_ident_char((unsigned char)*e)) e++;
            size_t len = (size_t)(e - p);
            size_t mv = measure_value_len(p, end, len); /* longer than any keyword: kw stays KW_NONE */
            emit(&lx, T_IDENT, mv ? mv : len, 0);
            continue;
        }
        if (c == '@' && left > 1 && is_ident_start((unsigned char)c1)) {
            const char *e = p + 1;
            while (e < end && is_ident_char((unsigned char)*e)) e++;
            emit(&lx, T_PARAM, (size_t)(e - p), 0);
            continue;
        }
        tok_kind k = T_BAD;
        size_t len = 1;
        switch (c) {
        case '?': k = T_PARAM; break;
        case '(': k = T_LPAREN; break;
        case ')': k = T_RPAREN; break;
        case '[': k = T_LBRACKET; break;
        case ']': k = T_RBRACKET; break;
        case ',': k = T_COMMA; break;
        case '.': k = T_DOT; break;
        case ';': k = T_SEMI; break;
        case '*': k = T_STAR; break;
        case '+': k = T_PLUS; break;
        case '/': k = T_SLASH; break;
        case '%': k = T_PERCENT; break;
        case '=': k = T_EQ; break;
        case '-':
            k = T_MINUS;
            if (c1 == '>') k = T_ARROW, len = 2;
            break;
        case '|':
            if (c1 == '|') k = T_CONCAT, len = 2;
            break;
        case '!':
            if (c1 == '=') k = T_NE, len = 2;
            break;
        case '<':
            k = T_LT;
            if (c1 == '=') k = T_LE, len = 2;
            else if (c1 == '>') k = T_NE, len = 2;
            break;
        case '>':
            k = T_GT;
            if (c1 == '=') k = T_GE, len = 2;
            break;
        case ':':
            if (c1 == ':') k = T_DCOLON, len = 2;
            break;
        default: break;
        }
        if (k == T_BAD) {
            emit(&lx, T_BAD, char_len(p, end), 0);
            break;
        }
        emit(&lx, k, len, 0);
    }
    if (lx.too_many) {
        st_free(lx.t);
        return ST_ELIMIT;
    }
    /* the end: at the end of the input even after a T_BAD (never reached) */
    lx.p = lx.end;
    emit(&lx, T_EOF, 0, 0);
    *out = lx.t;
    *nout = lx.nt;
    return 0;
}
