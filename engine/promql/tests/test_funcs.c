/* test_funcs: the PromQL kernels of funcs.c against Prometheus 2.42.
 *
 * Every expected value in the tables below was produced by the real
 * Prometheus 2.42.0 (Debian's 2.42.0+ds package): a throwaway script pushed
 * the series below by remote write into a fresh local Prometheus, ran each
 * query shown in the tables as an instant query (/api/v1/query) at the
 * given time, and copied the answer (Go's shortest round-trip decimal, so
 * exact) or its absence or its error message. Range cases give the window
 * as Prometheus computed it: range_start = time - range - offset and
 * range_end = time - offset (the @ time replaces the query time there, not
 * in eval_ts); the window's samples are the series' samples with
 * range_start <= t <= range_end, as in 2.42.
 *
 * Answers are compared exactly (bits, and the sign of zero), except for
 * the functions Go computes with its own math library (exp, ln, log2,
 * log10, the trigonometric and hyperbolic families), compared to 1e-12
 * relative. Each table row counts as one test in the final tally.
 */
#include "promql/funcs.h"
#include "testlib.h"

#include <math.h>

typedef struct tseries {
    const char *name;
    const int64_t *ts;
    const double *v;
    size_t n;
} tseries;

enum { X_NONE, X_VAL, X_ERR };

typedef struct rcase {
    const char *query;
    pqf_range_fn fn;
    int series;
    int64_t range_start, range_end, eval_ts;
    double params[2];
    int kind;
    double want;
    const char *err;
} rcase;

typedef struct vcase {
    const char *query;
    pqf_value_fn fn;
    double v;
    size_t nparams;
    double params[2];
    int kind;
    double want;
} vcase;

typedef struct acase {
    const char *group;
    const double *v;
    size_t n;
    double avg, stdvar, stddev;
} acase;

typedef struct qcase {
    const char *query;
    double q;
    const double *v;
    size_t n;
    double want;
} qcase;

typedef struct hcase {
    const char *query;
    double q;
    const pqf_bucket *b;
    size_t n;
    double want;
} hcase;

/* ---- series (ms, value) ---- */
static const int64_t c_lin_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000,
    1150000, 1165000, 1180000, 1195000, 1210000, 1225000, 1240000, 1255000, 1270000, 1285000,
    1300000
};
static const double c_lin_v[] = {
    0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0, 120.0, 130.0, 140.0,
    150.0, 160.0, 170.0, 180.0, 190.0, 200.0
};
static const int64_t c_reset_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000,
    1150000, 1165000, 1180000
};
static const double c_reset_v[] = {
    5.0, 10.0, 3.0, 8.0, 1.0, 20.0, 25.0, 25.0, 2.0, 40.0, 41.0, 0.0, 7.0
};
static const int64_t c_jit_t[] = {
    1001238, 1017074, 1027828, 1041839, 1063308, 1075837, 1086244, 1102905, 1116217, 1136865,
    1150464, 1164679, 1182630, 1197216, 1211719, 1223276, 1243841, 1251837, 1266792, 1283817,
    1302611
};
static const double c_jit_v[] = {
    3.1113310681656805, 10.52502931836912, 17.639537928525144, 25.426699487422912,
    32.54536653374835, 39.671921819685274, 46.593695239861596, 54.25535528810336,
    61.56124506293861, 68.89988443777952, 75.91951982096165, 83.33926568387591,
    90.86930032079293, 98.0558192518328, 104.9226143981535, 111.90547949981178,
    119.76349412900652, 126.34274584338014, 133.85897938048464, 141.3537260313669,
    148.0434504429231
};
static const int64_t c_high_t[] = {
    1000000, 1010000, 1020000, 1030000, 1040000, 1050000, 1060000, 1070000, 1080000, 1090000,
    1100000, 1110000, 1120000, 1130000, 1140000, 1150000, 1160000, 1170000, 1180000, 1190000,
    1200000, 1210000, 1220000, 1230000, 1240000, 1250000, 1260000, 1270000, 1280000, 1290000,
    1300000
};
static const double c_high_v[] = {
    1000.0, 1001.5, 1003.0, 1004.5, 1006.0, 1007.5, 1009.0, 1010.5, 1012.0, 1013.5, 1015.0,
    1016.5, 1018.0, 1019.5, 1021.0, 1022.5, 1024.0, 1025.5, 1027.0, 1028.5, 1030.0, 1031.5,
    1033.0, 1034.5, 1036.0, 1037.5, 1039.0, 1040.5, 1042.0, 1043.5, 1045.0
};
static const int64_t c_zero_t[] = {1000000, 1060000, 1120000, 1180000, 1240000, 1300000};
static const double c_zero_v[] = {0.0, 6.0, 12.0, 18.0, 24.0, 30.0};
static const int64_t c_frac_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000,
    1150000, 1165000, 1180000, 1195000, 1210000, 1225000, 1240000, 1255000, 1270000, 1285000,
    1300000
};
static const double c_frac_v[] = {
    0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8,
    0.9, 1.0, 1.1, 1.2000000000000002, 1.3, 1.4000000000000001, 1.5, 1.6, 1.7000000000000002,
    1.8, 1.9000000000000001, 2.0
};
static const int64_t g_wave_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000,
    1150000, 1165000, 1180000, 1195000, 1210000, 1225000, 1240000, 1255000, 1270000, 1285000,
    1300000, 1315000, 1330000, 1345000, 1360000
};
static const double g_wave_v[] = {
    -20.0, 12.719469679615223, 41.8369803069737, 64.14709848078965, 77.19379013633127,
    79.54079577517649, 70.92974268256818, 52.30858817383246, 25.7272626635812,
    -5.887999194013279, -39.056796287548536, -70.12770485883448, -95.68024953079282,
    -112.90145012707619, -119.89549170979282, -115.89242746631385, -101.332939156758,
    -77.81982417443089, -47.941549819892586, -14.987299011782728, 17.415123057121995,
    45.6986598718789, 66.74968696188058, 78.25077869863732, 78.93582466233818
};
static const int64_t g_neg_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000
};
static const double g_neg_v[] = {-5.0, -2.5, 1.25, -7.0, 3.5, 0.0, -0.5, 10.0, 2.0, -3.0};
static const int64_t g_nan_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000
};
static const double g_nan_v[] = {1.0, NAN, NAN, 2.0, 2.0, NAN, 3.0, 1.0, NAN};
static const int64_t g_inf_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000
};
static const double g_inf_v[] = {1.0, INFINITY, 2.0, -INFINITY, 5.0, INFINITY, INFINITY, 3.0};
static const int64_t g_pinf_t[] = {1000000, 1015000, 1030000, 1045000};
static const double g_pinf_v[] = {INFINITY, 1.0, 2.0, 3.0};
static const int64_t g_ninf_t[] = {1000000, 1015000, 1030000, 1045000};
static const double g_ninf_v[] = {2.0, -INFINITY, -INFINITY, 4.0};
static const int64_t g_infnan_t[] = {1000000, 1015000, 1030000};
static const double g_infnan_v[] = {INFINITY, NAN, 1.0};
static const int64_t g_infs_t[] = {1000000, 1015000, 1030000};
static const double g_infs_v[] = {INFINITY, -INFINITY, 1.0};
static const int64_t g_allnan_t[] = {1000000, 1015000, 1030000};
static const double g_allnan_v[] = {NAN, NAN, NAN};
static const int64_t g_nanlast_t[] = {1000000, 1015000, 1030000};
static const double g_nanlast_v[] = {3.0, 1.0, NAN};
static const int64_t g_const_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000
};
static const double g_const_v[] = {5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0};
static const int64_t g_constinf_t[] = {1000000, 1015000, 1030000, 1045000, 1060000, 1075000};
static const double g_constinf_v[] = {INFINITY, INFINITY, INFINITY, INFINITY, INFINITY, INFINITY};
static const int64_t g_two_t[] = {1100000, 1100250};
static const double g_two_v[] = {4.0, 9.5};
static const int64_t g_dec_t[] = {1100000, 1100750};
static const double g_dec_v[] = {9.5, 4.0};
static const int64_t g_one_t[] = {1100000};
static const double g_one_v[] = {42.0};
static const int64_t g_big_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000,
    1150000, 1165000, 1180000, 1195000, 1210000, 1225000, 1240000, 1255000, 1270000, 1285000
};
static const double g_big_v[] = {
    1000000000000000.2, 1000000000000000.1, 1000000000000000.2, 1000000000000000.5,
    1000000000000000.4, 1000000000000000.5, 1000000000000000.9, 1000000000000000.8,
    1000000000000000.8, 1000000000000001.1, 1000000000000001.0, 1000000000000001.1,
    1000000000000001.5, 1000000000000001.2, 1000000000000001.4, 1000000000000001.8,
    1000000000000001.6, 1000000000000001.8, 1000000000000002.0, 1000000000000001.9
};
static const int64_t g_huge_t[] = {1000000, 1015000, 1030000, 1045000};
static const double g_huge_v[] = {1.7e+308, 1.7e+308, 1.6e+308, -1e+308};
static const int64_t g_rand_t[] = {
    1001881, 1008550, 1015200, 1023533, 1029481, 1037885, 1044708, 1050185, 1056953, 1064556,
    1072603, 1077666, 1084858, 1093874, 1100654, 1107600, 1114986, 1120893, 1128621, 1133899,
    1140229, 1147131, 1155643, 1161864, 1170323, 1176288, 1184044, 1191633, 1197084, 1205299,
    1212394, 1219390, 1224898, 1231566, 1238372, 1245449, 1252655, 1260729, 1267576, 1274917
};
static const double g_rand_v[] = {
    72.45618290940138, -842.3996038430837, 658.8093285059897, 770.9034958736136,
    154.70429051352403, -860.8897023525182, -544.2034486969062, 970.4430413215155,
    732.9673335105392, -444.0527937798157, 668.2208532815007, -259.6380657662347,
    340.3503487553867, 873.3091754249879, -857.1949808429033, -657.722703603806,
    -510.3781496971476, -241.0891164847044, 376.3239168666264, 369.2285019797491,
    -541.9038560717913, 610.0916015424286, -464.5182480485945, 826.27224837109,
    752.7352529453376, -574.7469118917188, -208.73619787867153, -82.29629482520238,
    -720.7393609489874, 77.95457933458079, -143.13234541084068, -201.19898971920543,
    994.651555978322, 19.05258735292898, 511.5643150674755, -694.3173613034778,
    584.1587287259283, 192.81806146394774, -236.7614269869265, 58.22869019827408
};
static const int64_t g_small_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000, 1105000, 1120000, 1135000,
    1150000, 1165000, 1180000, 1195000, 1210000, 1225000, 1240000, 1255000, 1270000, 1285000
};
static const double g_small_v[] = {
    0.0, 1.01e-10, 2.02e-10, 3.03e-10, 4e-12, 1.05e-10, 2.06e-10, 3.0699999999999997e-10, 8e-12,
    1.09e-10, 2.1e-10, 3.11e-10, 1.2e-11, 1.13e-10, 2.14e-10, 3.15e-10, 1.6e-11, 1.17e-10,
    2.18e-10, 3.19e-10
};
static const int64_t g_nanmany_t[] = {
    1000000, 1010000, 1020000, 1030000, 1040000, 1050000, 1060000, 1070000, 1080000, 1090000,
    1100000, 1110000, 1120000, 1130000, 1140000, 1150000, 1160000, 1170000, 1180000, 1190000,
    1200000, 1210000, 1220000, 1230000
};
static const double g_nanmany_v[] = {
    0.0, 4.0, NAN, 1.0, 5.0, 9.0, 2.0, NAN, 10.0, 3.0, 7.0, 0.0, NAN, 8.0, 1.0, 5.0, 9.0, NAN,
    6.0, 10.0, 3.0, 7.0, NAN, 4.0
};
static const int64_t c_negstart_t[] = {1000000, 1015000, 1030000, 1045000, 1060000};
static const double c_negstart_v[] = {-5.0, 0.0, 5.0, 10.0, 15.0};
static const int64_t g_nanfirst_t[] = {1000000, 1015000, 1030000, 1045000, 1060000};
static const double g_nanfirst_v[] = {NAN, 3.0, 1.0, NAN, 2.0};
static const int64_t g_const01_t[] = {
    1000000, 1015000, 1030000, 1045000, 1060000, 1075000, 1090000
};
static const double g_const01_v[] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
static const int64_t g_ms_t[] = {1000000, 1000001, 1000003, 1000004, 1000900};
static const double g_ms_v[] = {1.0, 2.0, 8.0, 8.5, 9.0};
static const tseries series[] = {
    {"c_lin", c_lin_t, c_lin_v, ST_ARRAY_LEN(c_lin_t)},
    {"c_reset", c_reset_t, c_reset_v, ST_ARRAY_LEN(c_reset_t)},
    {"c_jit", c_jit_t, c_jit_v, ST_ARRAY_LEN(c_jit_t)},
    {"c_high", c_high_t, c_high_v, ST_ARRAY_LEN(c_high_t)},
    {"c_zero", c_zero_t, c_zero_v, ST_ARRAY_LEN(c_zero_t)},
    {"c_frac", c_frac_t, c_frac_v, ST_ARRAY_LEN(c_frac_t)},
    {"g_wave", g_wave_t, g_wave_v, ST_ARRAY_LEN(g_wave_t)},
    {"g_neg", g_neg_t, g_neg_v, ST_ARRAY_LEN(g_neg_t)},
    {"g_nan", g_nan_t, g_nan_v, ST_ARRAY_LEN(g_nan_t)},
    {"g_inf", g_inf_t, g_inf_v, ST_ARRAY_LEN(g_inf_t)},
    {"g_pinf", g_pinf_t, g_pinf_v, ST_ARRAY_LEN(g_pinf_t)},
    {"g_ninf", g_ninf_t, g_ninf_v, ST_ARRAY_LEN(g_ninf_t)},
    {"g_infnan", g_infnan_t, g_infnan_v, ST_ARRAY_LEN(g_infnan_t)},
    {"g_infs", g_infs_t, g_infs_v, ST_ARRAY_LEN(g_infs_t)},
    {"g_allnan", g_allnan_t, g_allnan_v, ST_ARRAY_LEN(g_allnan_t)},
    {"g_nanlast", g_nanlast_t, g_nanlast_v, ST_ARRAY_LEN(g_nanlast_t)},
    {"g_const", g_const_t, g_const_v, ST_ARRAY_LEN(g_const_t)},
    {"g_constinf", g_constinf_t, g_constinf_v, ST_ARRAY_LEN(g_constinf_t)},
    {"g_two", g_two_t, g_two_v, ST_ARRAY_LEN(g_two_t)},
    {"g_dec", g_dec_t, g_dec_v, ST_ARRAY_LEN(g_dec_t)},
    {"g_one", g_one_t, g_one_v, ST_ARRAY_LEN(g_one_t)},
    {"g_big", g_big_t, g_big_v, ST_ARRAY_LEN(g_big_t)},
    {"g_huge", g_huge_t, g_huge_v, ST_ARRAY_LEN(g_huge_t)},
    {"g_rand", g_rand_t, g_rand_v, ST_ARRAY_LEN(g_rand_t)},
    {"g_small", g_small_t, g_small_v, ST_ARRAY_LEN(g_small_t)},
    {"g_nanmany", g_nanmany_t, g_nanmany_v, ST_ARRAY_LEN(g_nanmany_t)},
    {"c_negstart", c_negstart_t, c_negstart_v, ST_ARRAY_LEN(c_negstart_t)},
    {"g_nanfirst", g_nanfirst_t, g_nanfirst_v, ST_ARRAY_LEN(g_nanfirst_t)},
    {"g_const01", g_const01_t, g_const01_v, ST_ARRAY_LEN(g_const01_t)},
    {"g_ms", g_ms_t, g_ms_v, ST_ARRAY_LEN(g_ms_t)},
};

static const rcase range_cases[] = {
    {"rate(c_lin[5m])", PQF_RATE, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.6666666666666666, NULL},
    {"increase(c_lin[5m])", PQF_INCREASE, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 200.0, NULL},
    {"delta(c_lin[5m])", PQF_DELTA, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 200.0, NULL},
    {"irate(c_lin[5m])", PQF_IRATE, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.6666666666666666, NULL},
    {"idelta(c_lin[5m])", PQF_IDELTA, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"deriv(c_lin[5m])", PQF_DERIV, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.6666666666666666, NULL},
    {"predict_linear(c_lin[5m], 60.0)", PQF_PREDICT_LINEAR, 0, 1005000, 1305000, 1305000, {60.0, 0.0}, X_VAL, 243.33333333333331, NULL},
    {"resets(c_lin[5m])", PQF_RESETS, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(c_lin[5m])", PQF_CHANGES, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 19.0, NULL},
    {"holt_winters(c_lin[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 0, 1005000, 1305000, 1305000, {0.5, 0.3}, X_VAL, 200.0, NULL},
    {"avg_over_time(c_lin[5m])", PQF_AVG_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 105.0, NULL},
    {"min_over_time(c_lin[5m])", PQF_MIN_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"max_over_time(c_lin[5m])", PQF_MAX_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 200.0, NULL},
    {"sum_over_time(c_lin[5m])", PQF_SUM_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 2100.0, NULL},
    {"count_over_time(c_lin[5m])", PQF_COUNT_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 20.0, NULL},
    {"stddev_over_time(c_lin[5m])", PQF_STDDEV_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 57.66281297335398, NULL},
    {"stdvar_over_time(c_lin[5m])", PQF_STDVAR_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 3325.0, NULL},
    {"last_over_time(c_lin[5m])", PQF_LAST_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 200.0, NULL},
    {"present_over_time(c_lin[5m])", PQF_PRESENT_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_lin[5m])", PQF_QUANTILE_OVER_TIME, 0, 1005000, 1305000, 1305000, {0.5, 0.0}, X_VAL, 105.0, NULL},
    {"rate(c_reset[5m])", PQF_RATE, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 0.3112962962962963, NULL},
    {"increase(c_reset[5m])", PQF_INCREASE, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 93.38888888888889, NULL},
    {"delta(c_reset[5m])", PQF_DELTA, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 2.138888888888889, NULL},
    {"irate(c_reset[5m])", PQF_IRATE, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 0.4666666666666667, NULL},
    {"idelta(c_reset[5m])", PQF_IDELTA, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 7.0, NULL},
    {"deriv(c_reset[5m])", PQF_DERIV, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 0.07948717948717948, NULL},
    {"predict_linear(c_reset[5m], 60.0)", PQF_PREDICT_LINEAR, 1, 885000, 1185000, 1185000, {60.0, 0.0}, X_VAL, 26.705128205128204, NULL},
    {"resets(c_reset[5m])", PQF_RESETS, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"changes(c_reset[5m])", PQF_CHANGES, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 11.0, NULL},
    {"holt_winters(c_reset[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 1, 885000, 1185000, 1185000, {0.5, 0.3}, X_VAL, 13.27697075322793, NULL},
    {"avg_over_time(c_reset[5m])", PQF_AVG_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 14.384615384615385, NULL},
    {"min_over_time(c_reset[5m])", PQF_MIN_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"max_over_time(c_reset[5m])", PQF_MAX_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 41.0, NULL},
    {"sum_over_time(c_reset[5m])", PQF_SUM_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 187.0, NULL},
    {"count_over_time(c_reset[5m])", PQF_COUNT_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 13.0, NULL},
    {"stddev_over_time(c_reset[5m])", PQF_STDDEV_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 13.848290433443188, NULL},
    {"stdvar_over_time(c_reset[5m])", PQF_STDVAR_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 191.7751479289941, NULL},
    {"last_over_time(c_reset[5m])", PQF_LAST_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 7.0, NULL},
    {"present_over_time(c_reset[5m])", PQF_PRESENT_OVER_TIME, 1, 885000, 1185000, 1185000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_reset[5m])", PQF_QUANTILE_OVER_TIME, 1, 885000, 1185000, 1185000, {0.5, 0.0}, X_VAL, 8.0, NULL},
    {"rate(c_jit[5m])", PQF_RATE, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 0.4816133149978952, NULL},
    {"increase(c_jit[5m])", PQF_INCREASE, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 144.48399449936855, NULL},
    {"delta(c_jit[5m])", PQF_DELTA, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 144.48399449936855, NULL},
    {"irate(c_jit[5m])", PQF_IRATE, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 0.3559500059357347, NULL},
    {"idelta(c_jit[5m])", PQF_IDELTA, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 6.689724411556199, NULL},
    {"deriv(c_jit[5m])", PQF_DERIV, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 0.48164032512822896, NULL},
    {"predict_linear(c_jit[5m], 60.0)", PQF_PREDICT_LINEAR, 2, 1007611, 1307611, 1307611, {60.0, 0.0}, X_VAL, 180.84485697975393, NULL},
    {"resets(c_jit[5m])", PQF_RESETS, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(c_jit[5m])", PQF_CHANGES, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 19.0, NULL},
    {"holt_winters(c_jit[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 2, 1007611, 1307611, 1307611, {0.5, 0.3}, X_VAL, 148.2324375776223, NULL},
    {"avg_over_time(c_jit[5m])", PQF_AVG_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 79.57465649595119, NULL},
    {"min_over_time(c_jit[5m])", PQF_MIN_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 10.52502931836912, NULL},
    {"max_over_time(c_jit[5m])", PQF_MAX_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 148.0434504429231, NULL},
    {"sum_over_time(c_jit[5m])", PQF_SUM_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 1591.4931299190237, NULL},
    {"count_over_time(c_jit[5m])", PQF_COUNT_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 20.0, NULL},
    {"stddev_over_time(c_jit[5m])", PQF_STDDEV_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 41.800303575186106, NULL},
    {"stdvar_over_time(c_jit[5m])", PQF_STDVAR_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 1747.2653789777164, NULL},
    {"last_over_time(c_jit[5m])", PQF_LAST_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 148.0434504429231, NULL},
    {"present_over_time(c_jit[5m])", PQF_PRESENT_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_jit[5m])", PQF_QUANTILE_OVER_TIME, 2, 1007611, 1307611, 1307611, {0.5, 0.0}, X_VAL, 79.62939275241878, NULL},
    {"rate(c_high[5m])", PQF_RATE, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.15000000000000002, NULL},
    {"increase(c_high[5m])", PQF_INCREASE, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 45.0, NULL},
    {"delta(c_high[5m])", PQF_DELTA, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 45.0, NULL},
    {"irate(c_high[5m])", PQF_IRATE, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.15, NULL},
    {"idelta(c_high[5m])", PQF_IDELTA, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.5, NULL},
    {"deriv(c_high[5m])", PQF_DERIV, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.15, NULL},
    {"predict_linear(c_high[5m], 60.0)", PQF_PREDICT_LINEAR, 3, 1005000, 1305000, 1305000, {60.0, 0.0}, X_VAL, 1054.75, NULL},
    {"resets(c_high[5m])", PQF_RESETS, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(c_high[5m])", PQF_CHANGES, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 29.0, NULL},
    {"holt_winters(c_high[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 3, 1005000, 1305000, 1305000, {0.5, 0.3}, X_VAL, 1045.0, NULL},
    {"avg_over_time(c_high[5m])", PQF_AVG_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1023.25, NULL},
    {"min_over_time(c_high[5m])", PQF_MIN_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1001.5, NULL},
    {"max_over_time(c_high[5m])", PQF_MAX_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1045.0, NULL},
    {"sum_over_time(c_high[5m])", PQF_SUM_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 30697.5, NULL},
    {"count_over_time(c_high[5m])", PQF_COUNT_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 30.0, NULL},
    {"stddev_over_time(c_high[5m])", PQF_STDDEV_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 12.983162172598785, NULL},
    {"stdvar_over_time(c_high[5m])", PQF_STDVAR_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 168.5625, NULL},
    {"last_over_time(c_high[5m])", PQF_LAST_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1045.0, NULL},
    {"present_over_time(c_high[5m])", PQF_PRESENT_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_high[5m])", PQF_QUANTILE_OVER_TIME, 3, 1005000, 1305000, 1305000, {0.5, 0.0}, X_VAL, 1023.25, NULL},
    {"rate(c_zero[5m])", PQF_RATE, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"increase(c_zero[5m])", PQF_INCREASE, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 30.0, NULL},
    {"delta(c_zero[5m])", PQF_DELTA, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 30.0, NULL},
    {"irate(c_zero[5m])", PQF_IRATE, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"idelta(c_zero[5m])", PQF_IDELTA, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 6.0, NULL},
    {"deriv(c_zero[5m])", PQF_DERIV, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"predict_linear(c_zero[5m], 60.0)", PQF_PREDICT_LINEAR, 4, 1005000, 1305000, 1305000, {60.0, 0.0}, X_VAL, 36.5, NULL},
    {"resets(c_zero[5m])", PQF_RESETS, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(c_zero[5m])", PQF_CHANGES, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"holt_winters(c_zero[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 4, 1005000, 1305000, 1305000, {0.5, 0.3}, X_VAL, 30.0, NULL},
    {"avg_over_time(c_zero[5m])", PQF_AVG_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 18.0, NULL},
    {"min_over_time(c_zero[5m])", PQF_MIN_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 6.0, NULL},
    {"max_over_time(c_zero[5m])", PQF_MAX_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 30.0, NULL},
    {"sum_over_time(c_zero[5m])", PQF_SUM_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 90.0, NULL},
    {"count_over_time(c_zero[5m])", PQF_COUNT_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"stddev_over_time(c_zero[5m])", PQF_STDDEV_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 8.48528137423857, NULL},
    {"stdvar_over_time(c_zero[5m])", PQF_STDVAR_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 72.0, NULL},
    {"last_over_time(c_zero[5m])", PQF_LAST_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 30.0, NULL},
    {"present_over_time(c_zero[5m])", PQF_PRESENT_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_zero[5m])", PQF_QUANTILE_OVER_TIME, 4, 1005000, 1305000, 1305000, {0.5, 0.0}, X_VAL, 18.0, NULL},
    {"rate(c_frac[5m])", PQF_RATE, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.006666666666666665, NULL},
    {"increase(c_frac[5m])", PQF_INCREASE, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.9999999999999998, NULL},
    {"delta(c_frac[5m])", PQF_DELTA, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.9999999999999998, NULL},
    {"irate(c_frac[5m])", PQF_IRATE, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.0066666666666666576, NULL},
    {"idelta(c_frac[5m])", PQF_IDELTA, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.09999999999999987, NULL},
    {"deriv(c_frac[5m])", PQF_DERIV, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.006666666666666667, NULL},
    {"predict_linear(c_frac[5m], 60.0)", PQF_PREDICT_LINEAR, 5, 1005000, 1305000, 1305000, {60.0, 0.0}, X_VAL, 2.433333333333333, NULL},
    {"resets(c_frac[5m])", PQF_RESETS, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(c_frac[5m])", PQF_CHANGES, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 19.0, NULL},
    {"holt_winters(c_frac[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 5, 1005000, 1305000, 1305000, {0.5, 0.3}, X_VAL, 2.0, NULL},
    {"avg_over_time(c_frac[5m])", PQF_AVG_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.05, NULL},
    {"min_over_time(c_frac[5m])", PQF_MIN_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"max_over_time(c_frac[5m])", PQF_MAX_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"sum_over_time(c_frac[5m])", PQF_SUM_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 21.0, NULL},
    {"count_over_time(c_frac[5m])", PQF_COUNT_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 20.0, NULL},
    {"stddev_over_time(c_frac[5m])", PQF_STDDEV_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.5766281297335398, NULL},
    {"stdvar_over_time(c_frac[5m])", PQF_STDVAR_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 0.3325, NULL},
    {"last_over_time(c_frac[5m])", PQF_LAST_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"present_over_time(c_frac[5m])", PQF_PRESENT_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_frac[5m])", PQF_QUANTILE_OVER_TIME, 5, 1005000, 1305000, 1305000, {0.5, 0.0}, X_VAL, 1.05, NULL},
    {"rate(g_wave[5m])", PQF_RATE, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, -0.33597467303840445, NULL},
    {"increase(g_wave[5m])", PQF_INCREASE, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, -100.79240191152135, NULL},
    {"delta(g_wave[5m])", PQF_DELTA, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, -0.6368116977245407, NULL},
    {"irate(g_wave[5m])", PQF_IRATE, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 0.045669730913390556, NULL},
    {"idelta(g_wave[5m])", PQF_IDELTA, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 0.6850459637008584, NULL},
    {"deriv(g_wave[5m])", PQF_DERIV, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 0.06744267850180735, NULL},
    {"predict_linear(g_wave[5m], 60.0)", PQF_PREDICT_LINEAR, 6, 1065000, 1365000, 1365000, {60.0, 0.0}, X_VAL, -0.3040076503860334, NULL},
    {"resets(g_wave[5m])", PQF_RESETS, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"changes(g_wave[5m])", PQF_CHANGES, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 19.0, NULL},
    {"holt_winters(g_wave[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 6, 1065000, 1365000, 1365000, {0.5, 0.3}, X_VAL, 94.87460989512458, NULL},
    {"avg_over_time(g_wave[5m])", PQF_AVG_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, -14.298363439511046, NULL},
    {"min_over_time(g_wave[5m])", PQF_MIN_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, -119.89549170979282, NULL},
    {"max_over_time(g_wave[5m])", PQF_MAX_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 79.54079577517649, NULL},
    {"sum_over_time(g_wave[5m])", PQF_SUM_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, -285.9672687902209, NULL},
    {"count_over_time(g_wave[5m])", PQF_COUNT_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 20.0, NULL},
    {"stddev_over_time(g_wave[5m])", PQF_STDDEV_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 72.42269521935248, NULL},
    {"stdvar_over_time(g_wave[5m])", PQF_STDVAR_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 5245.04678283522, NULL},
    {"last_over_time(g_wave[5m])", PQF_LAST_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 78.93582466233818, NULL},
    {"present_over_time(g_wave[5m])", PQF_PRESENT_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_wave[5m])", PQF_QUANTILE_OVER_TIME, 6, 1065000, 1365000, 1365000, {0.5, 0.0}, X_VAL, -10.437649102898003, NULL},
    {"rate(g_neg[5m])", PQF_RATE, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.06828703703703703, NULL},
    {"increase(g_neg[5m])", PQF_INCREASE, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 20.48611111111111, NULL},
    {"delta(g_neg[5m])", PQF_DELTA, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 2.185185185185185, NULL},
    {"irate(g_neg[5m])", PQF_IRATE, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, -0.2, NULL},
    {"idelta(g_neg[5m])", PQF_IDELTA, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, -5.0, NULL},
    {"deriv(g_neg[5m])", PQF_DERIV, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.04414141414141414, NULL},
    {"predict_linear(g_neg[5m], 60.0)", PQF_PREDICT_LINEAR, 7, 840000, 1140000, 1140000, {60.0, 0.0}, X_VAL, 5.723737373737373, NULL},
    {"resets(g_neg[5m])", PQF_RESETS, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"changes(g_neg[5m])", PQF_CHANGES, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"holt_winters(g_neg[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 7, 840000, 1140000, 1140000, {0.5, 0.3}, X_VAL, 1.5425960375976566, NULL},
    {"avg_over_time(g_neg[5m])", PQF_AVG_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, -0.125, NULL},
    {"min_over_time(g_neg[5m])", PQF_MIN_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, -7.0, NULL},
    {"max_over_time(g_neg[5m])", PQF_MAX_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"sum_over_time(g_neg[5m])", PQF_SUM_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, -1.25, NULL},
    {"count_over_time(g_neg[5m])", PQF_COUNT_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"stddev_over_time(g_neg[5m])", PQF_STDDEV_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 4.551442079165679, NULL},
    {"stdvar_over_time(g_neg[5m])", PQF_STDVAR_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 20.715625, NULL},
    {"last_over_time(g_neg[5m])", PQF_LAST_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, -3.0, NULL},
    {"present_over_time(g_neg[5m])", PQF_PRESENT_OVER_TIME, 7, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_neg[5m])", PQF_QUANTILE_OVER_TIME, 7, 840000, 1140000, 1140000, {0.5, 0.0}, X_VAL, -0.25, NULL},
    {"rate(g_nan[5m])", PQF_RATE, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_nan[5m])", PQF_INCREASE, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_nan[5m])", PQF_DELTA, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"irate(g_nan[5m])", PQF_IRATE, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_nan[5m])", PQF_IDELTA, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_nan[5m])", PQF_DERIV, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_nan[5m], 60.0)", PQF_PREDICT_LINEAR, 8, 825000, 1125000, 1125000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_nan[5m])", PQF_RESETS, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_nan[5m])", PQF_CHANGES, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, 6.0, NULL},
    {"holt_winters(g_nan[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 8, 825000, 1125000, 1125000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_nan[5m])", PQF_AVG_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_nan[5m])", PQF_MIN_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"max_over_time(g_nan[5m])", PQF_MAX_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"sum_over_time(g_nan[5m])", PQF_SUM_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_nan[5m])", PQF_COUNT_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"stddev_over_time(g_nan[5m])", PQF_STDDEV_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_nan[5m])", PQF_STDVAR_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_nan[5m])", PQF_LAST_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"present_over_time(g_nan[5m])", PQF_PRESENT_OVER_TIME, 8, 825000, 1125000, 1125000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_nan[5m])", PQF_QUANTILE_OVER_TIME, 8, 825000, 1125000, 1125000, {0.5, 0.0}, X_VAL, 1.0, NULL},
    {"rate(g_inf[5m])", PQF_RATE, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"increase(g_inf[5m])", PQF_INCREASE, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"delta(g_inf[5m])", PQF_DELTA, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 2.238095238095238, NULL},
    {"irate(g_inf[5m])", PQF_IRATE, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 0.2, NULL},
    {"idelta(g_inf[5m])", PQF_IDELTA, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"deriv(g_inf[5m])", PQF_DERIV, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_inf[5m], 60.0)", PQF_PREDICT_LINEAR, 9, 810000, 1110000, 1110000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_inf[5m])", PQF_RESETS, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"changes(g_inf[5m])", PQF_CHANGES, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 6.0, NULL},
    {"holt_winters(g_inf[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 9, 810000, 1110000, 1110000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_inf[5m])", PQF_AVG_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_inf[5m])", PQF_MIN_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"max_over_time(g_inf[5m])", PQF_MAX_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"sum_over_time(g_inf[5m])", PQF_SUM_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_inf[5m])", PQF_COUNT_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 8.0, NULL},
    {"stddev_over_time(g_inf[5m])", PQF_STDDEV_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_inf[5m])", PQF_STDVAR_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_inf[5m])", PQF_LAST_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"present_over_time(g_inf[5m])", PQF_PRESENT_OVER_TIME, 9, 810000, 1110000, 1110000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_inf[5m])", PQF_QUANTILE_OVER_TIME, 9, 810000, 1110000, 1110000, {0.5, 0.0}, X_VAL, 4.0, NULL},
    {"rate(g_pinf[5m])", PQF_RATE, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_pinf[5m])", PQF_INCREASE, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_pinf[5m])", PQF_DELTA, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"irate(g_pinf[5m])", PQF_IRATE, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 0.06666666666666667, NULL},
    {"idelta(g_pinf[5m])", PQF_IDELTA, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"deriv(g_pinf[5m])", PQF_DERIV, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_pinf[5m], 60.0)", PQF_PREDICT_LINEAR, 10, 750000, 1050000, 1050000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_pinf[5m])", PQF_RESETS, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_pinf[5m])", PQF_CHANGES, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"holt_winters(g_pinf[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 10, 750000, 1050000, 1050000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_pinf[5m])", PQF_AVG_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"min_over_time(g_pinf[5m])", PQF_MIN_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"max_over_time(g_pinf[5m])", PQF_MAX_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"sum_over_time(g_pinf[5m])", PQF_SUM_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"count_over_time(g_pinf[5m])", PQF_COUNT_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"stddev_over_time(g_pinf[5m])", PQF_STDDEV_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_pinf[5m])", PQF_STDVAR_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_pinf[5m])", PQF_LAST_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"present_over_time(g_pinf[5m])", PQF_PRESENT_OVER_TIME, 10, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_pinf[5m])", PQF_QUANTILE_OVER_TIME, 10, 750000, 1050000, 1050000, {0.5, 0.0}, X_VAL, 2.5, NULL},
    {"rate(g_ninf[5m])", PQF_RATE, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 0.017037037037037035, NULL},
    {"increase(g_ninf[5m])", PQF_INCREASE, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 5.111111111111111, NULL},
    {"delta(g_ninf[5m])", PQF_DELTA, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 2.5555555555555554, NULL},
    {"irate(g_ninf[5m])", PQF_IRATE, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"idelta(g_ninf[5m])", PQF_IDELTA, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"deriv(g_ninf[5m])", PQF_DERIV, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_ninf[5m], 60.0)", PQF_PREDICT_LINEAR, 11, 750000, 1050000, 1050000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_ninf[5m])", PQF_RESETS, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_ninf[5m])", PQF_CHANGES, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"holt_winters(g_ninf[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 11, 750000, 1050000, 1050000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_ninf[5m])", PQF_AVG_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"min_over_time(g_ninf[5m])", PQF_MIN_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"max_over_time(g_ninf[5m])", PQF_MAX_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"sum_over_time(g_ninf[5m])", PQF_SUM_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"count_over_time(g_ninf[5m])", PQF_COUNT_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"stddev_over_time(g_ninf[5m])", PQF_STDDEV_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_ninf[5m])", PQF_STDVAR_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_ninf[5m])", PQF_LAST_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"present_over_time(g_ninf[5m])", PQF_PRESENT_OVER_TIME, 11, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_ninf[5m])", PQF_QUANTILE_OVER_TIME, 11, 750000, 1050000, 1050000, {0.5, 0.0}, X_VAL, -INFINITY, NULL},
    {"rate(g_infnan[5m])", PQF_RATE, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"increase(g_infnan[5m])", PQF_INCREASE, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"delta(g_infnan[5m])", PQF_DELTA, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"irate(g_infnan[5m])", PQF_IRATE, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_infnan[5m])", PQF_IDELTA, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_infnan[5m])", PQF_DERIV, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_infnan[5m], 60.0)", PQF_PREDICT_LINEAR, 12, 735000, 1035000, 1035000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_infnan[5m])", PQF_RESETS, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_infnan[5m])", PQF_CHANGES, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"holt_winters(g_infnan[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 12, 735000, 1035000, 1035000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_infnan[5m])", PQF_AVG_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_infnan[5m])", PQF_MIN_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"max_over_time(g_infnan[5m])", PQF_MAX_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"sum_over_time(g_infnan[5m])", PQF_SUM_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_infnan[5m])", PQF_COUNT_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"stddev_over_time(g_infnan[5m])", PQF_STDDEV_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_infnan[5m])", PQF_STDVAR_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_infnan[5m])", PQF_LAST_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"present_over_time(g_infnan[5m])", PQF_PRESENT_OVER_TIME, 12, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_infnan[5m])", PQF_QUANTILE_OVER_TIME, 12, 735000, 1035000, 1035000, {0.5, 0.0}, X_VAL, NAN, NULL},
    {"rate(g_infs[5m])", PQF_RATE, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_infs[5m])", PQF_INCREASE, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_infs[5m])", PQF_DELTA, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"irate(g_infs[5m])", PQF_IRATE, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"idelta(g_infs[5m])", PQF_IDELTA, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"deriv(g_infs[5m])", PQF_DERIV, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_infs[5m], 60.0)", PQF_PREDICT_LINEAR, 13, 735000, 1035000, 1035000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_infs[5m])", PQF_RESETS, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_infs[5m])", PQF_CHANGES, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"holt_winters(g_infs[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 13, 735000, 1035000, 1035000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_infs[5m])", PQF_AVG_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_infs[5m])", PQF_MIN_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"max_over_time(g_infs[5m])", PQF_MAX_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"sum_over_time(g_infs[5m])", PQF_SUM_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_infs[5m])", PQF_COUNT_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"stddev_over_time(g_infs[5m])", PQF_STDDEV_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_infs[5m])", PQF_STDVAR_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_infs[5m])", PQF_LAST_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"present_over_time(g_infs[5m])", PQF_PRESENT_OVER_TIME, 13, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_infs[5m])", PQF_QUANTILE_OVER_TIME, 13, 735000, 1035000, 1035000, {0.5, 0.0}, X_VAL, NAN, NULL},
    {"rate(g_allnan[5m])", PQF_RATE, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_allnan[5m])", PQF_INCREASE, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_allnan[5m])", PQF_DELTA, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"irate(g_allnan[5m])", PQF_IRATE, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_allnan[5m])", PQF_IDELTA, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_allnan[5m])", PQF_DERIV, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_allnan[5m], 60.0)", PQF_PREDICT_LINEAR, 14, 735000, 1035000, 1035000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_allnan[5m])", PQF_RESETS, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_allnan[5m])", PQF_CHANGES, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"holt_winters(g_allnan[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 14, 735000, 1035000, 1035000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_allnan[5m])", PQF_AVG_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_allnan[5m])", PQF_MIN_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"max_over_time(g_allnan[5m])", PQF_MAX_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"sum_over_time(g_allnan[5m])", PQF_SUM_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_allnan[5m])", PQF_COUNT_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"stddev_over_time(g_allnan[5m])", PQF_STDDEV_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_allnan[5m])", PQF_STDVAR_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_allnan[5m])", PQF_LAST_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"present_over_time(g_allnan[5m])", PQF_PRESENT_OVER_TIME, 14, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_allnan[5m])", PQF_QUANTILE_OVER_TIME, 14, 735000, 1035000, 1035000, {0.5, 0.0}, X_VAL, NAN, NULL},
    {"rate(g_nanlast[5m])", PQF_RATE, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_nanlast[5m])", PQF_INCREASE, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_nanlast[5m])", PQF_DELTA, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"irate(g_nanlast[5m])", PQF_IRATE, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_nanlast[5m])", PQF_IDELTA, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_nanlast[5m])", PQF_DERIV, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_nanlast[5m], 60.0)", PQF_PREDICT_LINEAR, 15, 735000, 1035000, 1035000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_nanlast[5m])", PQF_RESETS, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_nanlast[5m])", PQF_CHANGES, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"holt_winters(g_nanlast[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 15, 735000, 1035000, 1035000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_nanlast[5m])", PQF_AVG_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_nanlast[5m])", PQF_MIN_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"max_over_time(g_nanlast[5m])", PQF_MAX_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"sum_over_time(g_nanlast[5m])", PQF_SUM_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_nanlast[5m])", PQF_COUNT_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"stddev_over_time(g_nanlast[5m])", PQF_STDDEV_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_nanlast[5m])", PQF_STDVAR_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_nanlast[5m])", PQF_LAST_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"present_over_time(g_nanlast[5m])", PQF_PRESENT_OVER_TIME, 15, 735000, 1035000, 1035000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_nanlast[5m])", PQF_QUANTILE_OVER_TIME, 15, 735000, 1035000, 1035000, {0.5, 0.0}, X_VAL, 1.0, NULL},
    {"rate(g_const[5m])", PQF_RATE, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"increase(g_const[5m])", PQF_INCREASE, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"delta(g_const[5m])", PQF_DELTA, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"irate(g_const[5m])", PQF_IRATE, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"idelta(g_const[5m])", PQF_IDELTA, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"deriv(g_const[5m])", PQF_DERIV, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"predict_linear(g_const[5m], 60.0)", PQF_PREDICT_LINEAR, 16, 840000, 1140000, 1140000, {60.0, 0.0}, X_VAL, 5.0, NULL},
    {"resets(g_const[5m])", PQF_RESETS, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_const[5m])", PQF_CHANGES, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"holt_winters(g_const[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 16, 840000, 1140000, 1140000, {0.5, 0.3}, X_VAL, 5.0, NULL},
    {"avg_over_time(g_const[5m])", PQF_AVG_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"min_over_time(g_const[5m])", PQF_MIN_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"max_over_time(g_const[5m])", PQF_MAX_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"sum_over_time(g_const[5m])", PQF_SUM_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 50.0, NULL},
    {"count_over_time(g_const[5m])", PQF_COUNT_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"stddev_over_time(g_const[5m])", PQF_STDDEV_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"stdvar_over_time(g_const[5m])", PQF_STDVAR_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"last_over_time(g_const[5m])", PQF_LAST_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"present_over_time(g_const[5m])", PQF_PRESENT_OVER_TIME, 16, 840000, 1140000, 1140000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_const[5m])", PQF_QUANTILE_OVER_TIME, 16, 840000, 1140000, 1140000, {0.5, 0.0}, X_VAL, 5.0, NULL},
    {"rate(g_constinf[5m])", PQF_RATE, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_constinf[5m])", PQF_INCREASE, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_constinf[5m])", PQF_DELTA, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"irate(g_constinf[5m])", PQF_IRATE, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_constinf[5m])", PQF_IDELTA, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_constinf[5m])", PQF_DERIV, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_constinf[5m], 60.0)", PQF_PREDICT_LINEAR, 17, 780000, 1080000, 1080000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_constinf[5m])", PQF_RESETS, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_constinf[5m])", PQF_CHANGES, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"holt_winters(g_constinf[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 17, 780000, 1080000, 1080000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_constinf[5m])", PQF_AVG_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"min_over_time(g_constinf[5m])", PQF_MIN_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"max_over_time(g_constinf[5m])", PQF_MAX_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"sum_over_time(g_constinf[5m])", PQF_SUM_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"count_over_time(g_constinf[5m])", PQF_COUNT_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, 6.0, NULL},
    {"stddev_over_time(g_constinf[5m])", PQF_STDDEV_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_constinf[5m])", PQF_STDVAR_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_constinf[5m])", PQF_LAST_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"present_over_time(g_constinf[5m])", PQF_PRESENT_OVER_TIME, 17, 780000, 1080000, 1080000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_constinf[5m])", PQF_QUANTILE_OVER_TIME, 17, 780000, 1080000, 1080000, {0.5, 0.0}, X_VAL, INFINITY, NULL},
    {"rate(g_two[5m])", PQF_RATE, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 0.04083333333333334, NULL},
    {"increase(g_two[5m])", PQF_INCREASE, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 12.250000000000002, NULL},
    {"delta(g_two[5m])", PQF_DELTA, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 11.0, NULL},
    {"irate(g_two[5m])", PQF_IRATE, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 22.0, NULL},
    {"idelta(g_two[5m])", PQF_IDELTA, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 5.5, NULL},
    {"deriv(g_two[5m])", PQF_DERIV, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 22.0, NULL},
    {"predict_linear(g_two[5m], 60.0)", PQF_PREDICT_LINEAR, 18, 805250, 1105250, 1105250, {60.0, 0.0}, X_VAL, 1439.5, NULL},
    {"resets(g_two[5m])", PQF_RESETS, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_two[5m])", PQF_CHANGES, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"holt_winters(g_two[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 18, 805250, 1105250, 1105250, {0.5, 0.3}, X_VAL, 9.5, NULL},
    {"avg_over_time(g_two[5m])", PQF_AVG_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 6.75, NULL},
    {"min_over_time(g_two[5m])", PQF_MIN_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"max_over_time(g_two[5m])", PQF_MAX_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 9.5, NULL},
    {"sum_over_time(g_two[5m])", PQF_SUM_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 13.5, NULL},
    {"count_over_time(g_two[5m])", PQF_COUNT_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"stddev_over_time(g_two[5m])", PQF_STDDEV_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 2.75, NULL},
    {"stdvar_over_time(g_two[5m])", PQF_STDVAR_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 7.5625, NULL},
    {"last_over_time(g_two[5m])", PQF_LAST_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 9.5, NULL},
    {"present_over_time(g_two[5m])", PQF_PRESENT_OVER_TIME, 18, 805250, 1105250, 1105250, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_two[5m])", PQF_QUANTILE_OVER_TIME, 18, 805250, 1105250, 1105250, {0.5, 0.0}, X_VAL, 6.75, NULL},
    {"rate(g_dec[5m])", PQF_RATE, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 0.02666666666666667, NULL},
    {"increase(g_dec[5m])", PQF_INCREASE, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 8.0, NULL},
    {"delta(g_dec[5m])", PQF_DELTA, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, -11.0, NULL},
    {"irate(g_dec[5m])", PQF_IRATE, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 5.333333333333333, NULL},
    {"idelta(g_dec[5m])", PQF_IDELTA, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, -5.5, NULL},
    {"deriv(g_dec[5m])", PQF_DERIV, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, -7.333333333333333, NULL},
    {"predict_linear(g_dec[5m], 60.0)", PQF_PREDICT_LINEAR, 19, 805750, 1105750, 1105750, {60.0, 0.0}, X_VAL, -472.6666666666667, NULL},
    {"resets(g_dec[5m])", PQF_RESETS, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_dec[5m])", PQF_CHANGES, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"holt_winters(g_dec[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 19, 805750, 1105750, 1105750, {0.5, 0.3}, X_VAL, 4.0, NULL},
    {"avg_over_time(g_dec[5m])", PQF_AVG_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 6.75, NULL},
    {"min_over_time(g_dec[5m])", PQF_MIN_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"max_over_time(g_dec[5m])", PQF_MAX_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 9.5, NULL},
    {"sum_over_time(g_dec[5m])", PQF_SUM_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 13.5, NULL},
    {"count_over_time(g_dec[5m])", PQF_COUNT_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"stddev_over_time(g_dec[5m])", PQF_STDDEV_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 2.75, NULL},
    {"stdvar_over_time(g_dec[5m])", PQF_STDVAR_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 7.5625, NULL},
    {"last_over_time(g_dec[5m])", PQF_LAST_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"present_over_time(g_dec[5m])", PQF_PRESENT_OVER_TIME, 19, 805750, 1105750, 1105750, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_dec[5m])", PQF_QUANTILE_OVER_TIME, 19, 805750, 1105750, 1105750, {0.5, 0.0}, X_VAL, 6.75, NULL},
    {"rate(g_one[5m])", PQF_RATE, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"increase(g_one[5m])", PQF_INCREASE, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"delta(g_one[5m])", PQF_DELTA, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"irate(g_one[5m])", PQF_IRATE, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"idelta(g_one[5m])", PQF_IDELTA, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"deriv(g_one[5m])", PQF_DERIV, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"predict_linear(g_one[5m], 60.0)", PQF_PREDICT_LINEAR, 20, 805000, 1105000, 1105000, {60.0, 0.0}, X_NONE, 0, NULL},
    {"resets(g_one[5m])", PQF_RESETS, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_one[5m])", PQF_CHANGES, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"holt_winters(g_one[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 20, 805000, 1105000, 1105000, {0.5, 0.3}, X_NONE, 0, NULL},
    {"avg_over_time(g_one[5m])", PQF_AVG_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 42.0, NULL},
    {"min_over_time(g_one[5m])", PQF_MIN_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 42.0, NULL},
    {"max_over_time(g_one[5m])", PQF_MAX_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 42.0, NULL},
    {"sum_over_time(g_one[5m])", PQF_SUM_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 42.0, NULL},
    {"count_over_time(g_one[5m])", PQF_COUNT_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"stddev_over_time(g_one[5m])", PQF_STDDEV_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"stdvar_over_time(g_one[5m])", PQF_STDVAR_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"last_over_time(g_one[5m])", PQF_LAST_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 42.0, NULL},
    {"present_over_time(g_one[5m])", PQF_PRESENT_OVER_TIME, 20, 805000, 1105000, 1105000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_one[5m])", PQF_QUANTILE_OVER_TIME, 20, 805000, 1105000, 1105000, {0.5, 0.0}, X_VAL, 42.0, NULL},
    {"rate(g_big[5m])", PQF_RATE, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 24561403508771.96, NULL},
    {"increase(g_big[5m])", PQF_INCREASE, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 7368421052631589.0, NULL},
    {"delta(g_big[5m])", PQF_DELTA, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.7105263157894737, NULL},
    {"irate(g_big[5m])", PQF_IRATE, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 66666666666666.79, NULL},
    {"idelta(g_big[5m])", PQF_IDELTA, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, -0.125, NULL},
    {"deriv(g_big[5m])", PQF_DERIV, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 0.006843776106934002, NULL},
    {"predict_linear(g_big[5m], 60.0)", PQF_PREDICT_LINEAR, 21, 990000, 1290000, 1290000, {60.0, 0.0}, X_VAL, 1000000000000002.4, NULL},
    {"resets(g_big[5m])", PQF_RESETS, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 7.0, NULL},
    {"changes(g_big[5m])", PQF_CHANGES, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 18.0, NULL},
    {"holt_winters(g_big[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 21, 990000, 1290000, 1290000, {0.5, 0.3}, X_VAL, 1000000000000002.0, NULL},
    {"avg_over_time(g_big[5m])", PQF_AVG_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1000000000000001.1, NULL},
    {"min_over_time(g_big[5m])", PQF_MIN_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1000000000000000.1, NULL},
    {"max_over_time(g_big[5m])", PQF_MAX_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1000000000000002.0, NULL},
    {"sum_over_time(g_big[5m])", PQF_SUM_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 2.000000000000002e+16, NULL},
    {"count_over_time(g_big[5m])", PQF_COUNT_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 20.0, NULL},
    {"stddev_over_time(g_big[5m])", PQF_STDDEV_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 0.5842997946260122, NULL},
    {"stdvar_over_time(g_big[5m])", PQF_STDVAR_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 0.34140625, NULL},
    {"last_over_time(g_big[5m])", PQF_LAST_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1000000000000001.9, NULL},
    {"present_over_time(g_big[5m])", PQF_PRESENT_OVER_TIME, 21, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_big[5m])", PQF_QUANTILE_OVER_TIME, 21, 990000, 1290000, 1290000, {0.5, 0.0}, X_VAL, 1000000000000001.0, NULL},
    {"rate(g_huge[5m])", PQF_RATE, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"increase(g_huge[5m])", PQF_INCREASE, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"delta(g_huge[5m])", PQF_DELTA, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"irate(g_huge[5m])", PQF_IRATE, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -6.666666666666666e+306, NULL},
    {"idelta(g_huge[5m])", PQF_IDELTA, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"deriv(g_huge[5m])", PQF_DERIV, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_huge[5m], 60.0)", PQF_PREDICT_LINEAR, 22, 750000, 1050000, 1050000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_huge[5m])", PQF_RESETS, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"changes(g_huge[5m])", PQF_CHANGES, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"holt_winters(g_huge[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 22, 750000, 1050000, 1050000, {0.5, 0.3}, X_VAL, 3.1749999999999987e+307, NULL},
    {"avg_over_time(g_huge[5m])", PQF_AVG_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1e+308, NULL},
    {"min_over_time(g_huge[5m])", PQF_MIN_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -1e+308, NULL},
    {"max_over_time(g_huge[5m])", PQF_MAX_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.7e+308, NULL},
    {"sum_over_time(g_huge[5m])", PQF_SUM_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, INFINITY, NULL},
    {"count_over_time(g_huge[5m])", PQF_COUNT_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"stddev_over_time(g_huge[5m])", PQF_STDDEV_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_huge[5m])", PQF_STDVAR_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_huge[5m])", PQF_LAST_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, -1e+308, NULL},
    {"present_over_time(g_huge[5m])", PQF_PRESENT_OVER_TIME, 22, 750000, 1050000, 1050000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_huge[5m])", PQF_QUANTILE_OVER_TIME, 22, 750000, 1050000, 1050000, {0.5, 0.0}, X_VAL, 1.6499999999999999e+308, NULL},
    {"rate(g_rand[5m])", PQF_RATE, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 31.806315922324693, NULL},
    {"increase(g_rand[5m])", PQF_INCREASE, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 9541.894776697407, NULL},
    {"delta(g_rand[5m])", PQF_DELTA, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, -14.670438896171317, NULL},
    {"irate(g_rand[5m])", PQF_IRATE, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 40.18391461452126, NULL},
    {"idelta(g_rand[5m])", PQF_IDELTA, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 294.9901171852006, NULL},
    {"deriv(g_rand[5m])", PQF_DERIV, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, -0.04285527304402757, NULL},
    {"predict_linear(g_rand[5m], 60.0)", PQF_PREDICT_LINEAR, 23, 979917, 1279917, 1279917, {60.0, 0.0}, X_VAL, 29.586408414718846, NULL},
    {"resets(g_rand[5m])", PQF_RESETS, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 19.0, NULL},
    {"changes(g_rand[5m])", PQF_CHANGES, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 39.0, NULL},
    {"holt_winters(g_rand[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 23, 979917, 1279917, 1279917, {0.5, 0.3}, X_VAL, 7.916592117678981, NULL},
    {"avg_over_time(g_rand[5m])", PQF_AVG_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 38.233113294265266, NULL},
    {"min_over_time(g_rand[5m])", PQF_MIN_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, -860.8897023525182, NULL},
    {"max_over_time(g_rand[5m])", PQF_MAX_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 994.651555978322, NULL},
    {"sum_over_time(g_rand[5m])", PQF_SUM_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 1529.3245317706114, NULL},
    {"count_over_time(g_rand[5m])", PQF_COUNT_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 40.0, NULL},
    {"stddev_over_time(g_rand[5m])", PQF_STDDEV_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 566.7458025322841, NULL},
    {"stdvar_over_time(g_rand[5m])", PQF_STDVAR_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 321200.80468796275, NULL},
    {"last_over_time(g_rand[5m])", PQF_LAST_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 58.22869019827408, NULL},
    {"present_over_time(g_rand[5m])", PQF_PRESENT_OVER_TIME, 23, 979917, 1279917, 1279917, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_rand[5m])", PQF_QUANTILE_OVER_TIME, 23, 979917, 1279917, 1279917, {0.5, 0.0}, X_VAL, 38.64063877560153, NULL},
    {"rate(g_small[5m])", PQF_RATE, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 5.2742690058479526e-12, NULL},
    {"increase(g_small[5m])", PQF_INCREASE, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.582280701754386e-09, NULL},
    {"delta(g_small[5m])", PQF_DELTA, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 3.357894736842105e-10, NULL},
    {"irate(g_small[5m])", PQF_IRATE, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 6.733333333333332e-12, NULL},
    {"idelta(g_small[5m])", PQF_IDELTA, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.0099999999999999e-10, NULL},
    {"deriv(g_small[5m])", PQF_DERIV, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 3.1729323308270725e-13, NULL},
    {"predict_linear(g_small[5m], 60.0)", PQF_PREDICT_LINEAR, 24, 990000, 1290000, 1290000, {60.0, 0.0}, X_VAL, 2.2533834586466152e-10, NULL},
    {"resets(g_small[5m])", PQF_RESETS, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"changes(g_small[5m])", PQF_CHANGES, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 19.0, NULL},
    {"holt_winters(g_small[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 24, 990000, 1290000, 1290000, {0.5, 0.3}, X_VAL, 2.424902808665692e-10, NULL},
    {"avg_over_time(g_small[5m])", PQF_AVG_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.595e-10, NULL},
    {"min_over_time(g_small[5m])", PQF_MIN_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"max_over_time(g_small[5m])", PQF_MAX_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 3.19e-10, NULL},
    {"sum_over_time(g_small[5m])", PQF_SUM_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 3.19e-09, NULL},
    {"count_over_time(g_small[5m])", PQF_COUNT_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 20.0, NULL},
    {"stddev_over_time(g_small[5m])", PQF_STDDEV_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.1306303551559191e-10, NULL},
    {"stdvar_over_time(g_small[5m])", PQF_STDVAR_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.2783249999999999e-20, NULL},
    {"last_over_time(g_small[5m])", PQF_LAST_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 3.19e-10, NULL},
    {"present_over_time(g_small[5m])", PQF_PRESENT_OVER_TIME, 24, 990000, 1290000, 1290000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_small[5m])", PQF_QUANTILE_OVER_TIME, 24, 990000, 1290000, 1290000, {0.5, 0.0}, X_VAL, 1.5950000000000002e-10, NULL},
    {"rate(g_nanmany[5m])", PQF_RATE, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 0.16347826086956524, NULL},
    {"increase(g_nanmany[5m])", PQF_INCREASE, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 49.04347826086957, NULL},
    {"delta(g_nanmany[5m])", PQF_DELTA, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 4.173913043478261, NULL},
    {"irate(g_nanmany[5m])", PQF_IRATE, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_nanmany[5m])", PQF_IDELTA, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_nanmany[5m])", PQF_DERIV, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_nanmany[5m], 60.0)", PQF_PREDICT_LINEAR, 25, 935000, 1235000, 1235000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_nanmany[5m])", PQF_RESETS, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"changes(g_nanmany[5m])", PQF_CHANGES, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 23.0, NULL},
    {"holt_winters(g_nanmany[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 25, 935000, 1235000, 1235000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_nanmany[5m])", PQF_AVG_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_nanmany[5m])", PQF_MIN_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"max_over_time(g_nanmany[5m])", PQF_MAX_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"sum_over_time(g_nanmany[5m])", PQF_SUM_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_nanmany[5m])", PQF_COUNT_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 24.0, NULL},
    {"stddev_over_time(g_nanmany[5m])", PQF_STDDEV_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_nanmany[5m])", PQF_STDVAR_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_nanmany[5m])", PQF_LAST_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"present_over_time(g_nanmany[5m])", PQF_PRESENT_OVER_TIME, 25, 935000, 1235000, 1235000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_nanmany[5m])", PQF_QUANTILE_OVER_TIME, 25, 935000, 1235000, 1235000, {0.5, 0.0}, X_VAL, 3.5, NULL},
    {"rate(c_negstart[5m])", PQF_RATE, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 0.08055555555555555, NULL},
    {"increase(c_negstart[5m])", PQF_INCREASE, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 24.166666666666664, NULL},
    {"delta(c_negstart[5m])", PQF_DELTA, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 24.166666666666664, NULL},
    {"irate(c_negstart[5m])", PQF_IRATE, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 0.3333333333333333, NULL},
    {"idelta(c_negstart[5m])", PQF_IDELTA, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"deriv(c_negstart[5m])", PQF_DERIV, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 0.3333333333333333, NULL},
    {"predict_linear(c_negstart[5m], 60.0)", PQF_PREDICT_LINEAR, 26, 765000, 1065000, 1065000, {60.0, 0.0}, X_VAL, 36.666666666666664, NULL},
    {"resets(c_negstart[5m])", PQF_RESETS, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(c_negstart[5m])", PQF_CHANGES, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"holt_winters(c_negstart[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 26, 765000, 1065000, 1065000, {0.5, 0.3}, X_VAL, 15.0, NULL},
    {"avg_over_time(c_negstart[5m])", PQF_AVG_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"min_over_time(c_negstart[5m])", PQF_MIN_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, -5.0, NULL},
    {"max_over_time(c_negstart[5m])", PQF_MAX_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 15.0, NULL},
    {"sum_over_time(c_negstart[5m])", PQF_SUM_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 25.0, NULL},
    {"count_over_time(c_negstart[5m])", PQF_COUNT_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"stddev_over_time(c_negstart[5m])", PQF_STDDEV_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 7.0710678118654755, NULL},
    {"stdvar_over_time(c_negstart[5m])", PQF_STDVAR_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 50.0, NULL},
    {"last_over_time(c_negstart[5m])", PQF_LAST_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 15.0, NULL},
    {"present_over_time(c_negstart[5m])", PQF_PRESENT_OVER_TIME, 26, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, c_negstart[5m])", PQF_QUANTILE_OVER_TIME, 26, 765000, 1065000, 1065000, {0.5, 0.0}, X_VAL, 5.0, NULL},
    {"rate(g_nanfirst[5m])", PQF_RATE, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"increase(g_nanfirst[5m])", PQF_INCREASE, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"delta(g_nanfirst[5m])", PQF_DELTA, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"irate(g_nanfirst[5m])", PQF_IRATE, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"idelta(g_nanfirst[5m])", PQF_IDELTA, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"deriv(g_nanfirst[5m])", PQF_DERIV, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"predict_linear(g_nanfirst[5m], 60.0)", PQF_PREDICT_LINEAR, 27, 765000, 1065000, 1065000, {60.0, 0.0}, X_VAL, NAN, NULL},
    {"resets(g_nanfirst[5m])", PQF_RESETS, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"changes(g_nanfirst[5m])", PQF_CHANGES, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"holt_winters(g_nanfirst[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 27, 765000, 1065000, 1065000, {0.5, 0.3}, X_VAL, NAN, NULL},
    {"avg_over_time(g_nanfirst[5m])", PQF_AVG_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"min_over_time(g_nanfirst[5m])", PQF_MIN_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"max_over_time(g_nanfirst[5m])", PQF_MAX_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"sum_over_time(g_nanfirst[5m])", PQF_SUM_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"count_over_time(g_nanfirst[5m])", PQF_COUNT_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"stddev_over_time(g_nanfirst[5m])", PQF_STDDEV_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_nanfirst[5m])", PQF_STDVAR_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"last_over_time(g_nanfirst[5m])", PQF_LAST_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"present_over_time(g_nanfirst[5m])", PQF_PRESENT_OVER_TIME, 27, 765000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_nanfirst[5m])", PQF_QUANTILE_OVER_TIME, 27, 765000, 1065000, 1065000, {0.5, 0.0}, X_VAL, 1.0, NULL},
    {"rate(g_const01[5m])", PQF_RATE, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"increase(g_const01[5m])", PQF_INCREASE, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"delta(g_const01[5m])", PQF_DELTA, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"irate(g_const01[5m])", PQF_IRATE, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"idelta(g_const01[5m])", PQF_IDELTA, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"deriv(g_const01[5m])", PQF_DERIV, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"predict_linear(g_const01[5m], 60.0)", PQF_PREDICT_LINEAR, 28, 795000, 1095000, 1095000, {60.0, 0.0}, X_VAL, 0.1, NULL},
    {"resets(g_const01[5m])", PQF_RESETS, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_const01[5m])", PQF_CHANGES, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"holt_winters(g_const01[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 28, 795000, 1095000, 1095000, {0.5, 0.3}, X_VAL, 0.1, NULL},
    {"avg_over_time(g_const01[5m])", PQF_AVG_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"min_over_time(g_const01[5m])", PQF_MIN_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"max_over_time(g_const01[5m])", PQF_MAX_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"sum_over_time(g_const01[5m])", PQF_SUM_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.7000000000000001, NULL},
    {"count_over_time(g_const01[5m])", PQF_COUNT_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 7.0, NULL},
    {"stddev_over_time(g_const01[5m])", PQF_STDDEV_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"stdvar_over_time(g_const01[5m])", PQF_STDVAR_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"last_over_time(g_const01[5m])", PQF_LAST_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 0.1, NULL},
    {"present_over_time(g_const01[5m])", PQF_PRESENT_OVER_TIME, 28, 795000, 1095000, 1095000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_const01[5m])", PQF_QUANTILE_OVER_TIME, 28, 795000, 1095000, 1095000, {0.5, 0.0}, X_VAL, 0.1, NULL},
    {"rate(g_ms[5m])", PQF_RATE, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 0.03333333333333333, NULL},
    {"increase(g_ms[5m])", PQF_INCREASE, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"delta(g_ms[5m])", PQF_DELTA, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 10.0, NULL},
    {"irate(g_ms[5m])", PQF_IRATE, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 0.5580357142857143, NULL},
    {"idelta(g_ms[5m])", PQF_IDELTA, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 0.5, NULL},
    {"deriv(g_ms[5m])", PQF_DERIV, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 4.6260214169724945, NULL},
    {"predict_linear(g_ms[5m], 60.0)", PQF_PREDICT_LINEAR, 29, 705900, 1005900, 1005900, {60.0, 0.0}, X_VAL, 309.7147258891628, NULL},
    {"resets(g_ms[5m])", PQF_RESETS, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 0.0, NULL},
    {"changes(g_ms[5m])", PQF_CHANGES, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 4.0, NULL},
    {"holt_winters(g_ms[5m], 0.5, 0.3)", PQF_HOLT_WINTERS, 29, 705900, 1005900, 1005900, {0.5, 0.3}, X_VAL, 9.40625, NULL},
    {"avg_over_time(g_ms[5m])", PQF_AVG_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 5.7, NULL},
    {"min_over_time(g_ms[5m])", PQF_MIN_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"max_over_time(g_ms[5m])", PQF_MAX_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"sum_over_time(g_ms[5m])", PQF_SUM_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 28.5, NULL},
    {"count_over_time(g_ms[5m])", PQF_COUNT_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 5.0, NULL},
    {"stddev_over_time(g_ms[5m])", PQF_STDDEV_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 3.4583232931581165, NULL},
    {"stdvar_over_time(g_ms[5m])", PQF_STDVAR_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 11.96, NULL},
    {"last_over_time(g_ms[5m])", PQF_LAST_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"present_over_time(g_ms[5m])", PQF_PRESENT_OVER_TIME, 29, 705900, 1005900, 1005900, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.5, g_ms[5m])", PQF_QUANTILE_OVER_TIME, 29, 705900, 1005900, 1005900, {0.5, 0.0}, X_VAL, 8.0, NULL},
    {"rate(c_lin[1m])", PQF_RATE, 0, 1060000, 1120000, 1120000, {0.0, 0.0}, X_VAL, 0.6666666666666666, NULL},
    {"rate(c_lin[1m])", PQF_RATE, 0, 1067500, 1127500, 1127500, {0.0, 0.0}, X_VAL, 0.6666666666666666, NULL},
    {"rate(c_lin[1m1s])", PQF_RATE, 0, 1059000, 1120000, 1120000, {0.0, 0.0}, X_VAL, 0.6666666666666666, NULL},
    {"rate(c_lin[5m])", PQF_RATE, 0, 1300000, 1600000, 1600000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"rate(c_lin[45s])", PQF_RATE, 0, 1299000, 1344000, 1344000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"rate(c_reset[2m])", PQF_RATE, 1, 980000, 1100000, 1100000, {0.0, 0.0}, X_VAL, 0.3935185185185185, NULL},
    {"rate(c_reset[10m])", PQF_RATE, 1, 590000, 1190000, 1190000, {0.0, 0.0}, X_VAL, 0.15962962962962965, NULL},
    {"rate(c_jit[2m])", PQF_RATE, 2, 1080000, 1200000, 1200000, {0.0, 0.0}, X_VAL, 0.46373971823497107, NULL},
    {"rate(c_jit[1m30s])", PQF_RATE, 2, 1221000, 1311000, 1311000, {0.0, 0.0}, X_VAL, 0.4555110725797104, NULL},
    {"rate(c_jit[1m40s1ms])", PQF_RATE, 2, 1150499, 1250500, 1250500, {0.0, 0.0}, X_VAL, 0.46012264022044175, NULL},
    {"rate(c_high[1m])", PQF_RATE, 3, 1005000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 0.15, NULL},
    {"rate(c_high[10m])", PQF_RATE, 3, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, 0.07625, NULL},
    {"rate(c_zero[10m])", PQF_RATE, 4, 730000, 1330000, 1330000, {0.0, 0.0}, X_VAL, 0.05500000000000001, NULL},
    {"rate(c_zero[2m])", PQF_RATE, 4, 970000, 1090000, 1090000, {0.0, 0.0}, X_VAL, 0.07500000000000001, NULL},
    {"rate(c_zero[1h])", PQF_RATE, 4, 400000, 4000000, 4000000, {0.0, 0.0}, X_VAL, 0.009166666666666668, NULL},
    {"rate(c_frac[1m])", PQF_RATE, 5, 1001000, 1061000, 1061000, {0.0, 0.0}, X_VAL, 0.006666666666666667, NULL},
    {"rate(g_wave[3m])", PQF_RATE, 6, 1020000, 1200000, 1200000, {0.0, 0.0}, X_VAL, -0.8302108546065494, NULL},
    {"rate(g_neg[1m])", PQF_RATE, 7, 1010000, 1070000, 1070000, {0.0, 0.0}, X_VAL, 0.1611111111111111, NULL},
    {"rate(g_two[1s])", PQF_RATE, 18, 1099500, 1100500, 1100500, {0.0, 0.0}, X_VAL, 15.000000000000002, NULL},
    {"rate(g_dec[1s])", PQF_RATE, 19, 1099800, 1100800, 1100800, {0.0, 0.0}, X_VAL, 5.333333333333333, NULL},
    {"rate(g_ms[1s])", PQF_RATE, 29, 999950, 1000950, 1000950, {0.0, 0.0}, X_VAL, 8.88888888888889, NULL},
    {"rate(g_ms[5ms])", PQF_RATE, 29, 999999, 1000004, 1000004, {0.0, 0.0}, X_VAL, 1700.0, NULL},
    {"rate(c_negstart[2m])", PQF_RATE, 26, 950000, 1070000, 1070000, {0.0, 0.0}, X_VAL, 0.2152777777777778, NULL},
    {"rate(g_ms[1s118ms])", PQF_RATE, 29, 999882, 1001000, 1001000, {0.0, 0.0}, X_VAL, 8.845160007950707, NULL},
    {"rate(g_ms[1s235ms])", PQF_RATE, 29, 999865, 1001100, 1001100, {0.0, 0.0}, X_VAL, 8.726945569050832, NULL},
    {"rate(c_negstart[1m])", PQF_RATE, 26, 980000, 1040000, 1040000, {0.0, 0.0}, X_VAL, 0.2638888888888889, NULL},
    {"increase(c_lin[1m])", PQF_INCREASE, 0, 1060000, 1120000, 1120000, {0.0, 0.0}, X_VAL, 40.0, NULL},
    {"increase(c_lin[1m])", PQF_INCREASE, 0, 1067500, 1127500, 1127500, {0.0, 0.0}, X_VAL, 40.0, NULL},
    {"increase(c_lin[1m1s])", PQF_INCREASE, 0, 1059000, 1120000, 1120000, {0.0, 0.0}, X_VAL, 40.666666666666664, NULL},
    {"increase(c_lin[5m])", PQF_INCREASE, 0, 1300000, 1600000, 1600000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"increase(c_lin[45s])", PQF_INCREASE, 0, 1299000, 1344000, 1344000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"increase(c_reset[2m])", PQF_INCREASE, 1, 980000, 1100000, 1100000, {0.0, 0.0}, X_VAL, 47.22222222222222, NULL},
    {"increase(c_reset[10m])", PQF_INCREASE, 1, 590000, 1190000, 1190000, {0.0, 0.0}, X_VAL, 95.77777777777779, NULL},
    {"increase(c_jit[2m])", PQF_INCREASE, 2, 1080000, 1200000, 1200000, {0.0, 0.0}, X_VAL, 55.648766188196525, NULL},
    {"increase(c_jit[1m30s])", PQF_INCREASE, 2, 1221000, 1311000, 1311000, {0.0, 0.0}, X_VAL, 40.99599653217393, NULL},
    {"increase(c_jit[1m40s1ms])", PQF_INCREASE, 2, 1150499, 1250500, 1250500, {0.0, 0.0}, X_VAL, 46.012724144684405, NULL},
    {"increase(c_high[1m])", PQF_INCREASE, 3, 1005000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"increase(c_high[10m])", PQF_INCREASE, 3, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, 45.75, NULL},
    {"increase(c_zero[10m])", PQF_INCREASE, 4, 730000, 1330000, 1330000, {0.0, 0.0}, X_VAL, 33.0, NULL},
    {"increase(c_zero[2m])", PQF_INCREASE, 4, 970000, 1090000, 1090000, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"increase(c_zero[1h])", PQF_INCREASE, 4, 400000, 4000000, 4000000, {0.0, 0.0}, X_VAL, 33.0, NULL},
    {"increase(c_frac[1m])", PQF_INCREASE, 5, 1001000, 1061000, 1061000, {0.0, 0.0}, X_VAL, 0.4, NULL},
    {"increase(g_wave[3m])", PQF_INCREASE, 6, 1020000, 1200000, 1200000, {0.0, 0.0}, X_VAL, -149.4379538291789, NULL},
    {"increase(g_neg[1m])", PQF_INCREASE, 7, 1010000, 1070000, 1070000, {0.0, 0.0}, X_VAL, 9.666666666666666, NULL},
    {"increase(g_two[1s])", PQF_INCREASE, 18, 1099500, 1100500, 1100500, {0.0, 0.0}, X_VAL, 15.000000000000002, NULL},
    {"increase(g_dec[1s])", PQF_INCREASE, 19, 1099800, 1100800, 1100800, {0.0, 0.0}, X_VAL, 5.333333333333333, NULL},
    {"increase(g_ms[1s])", PQF_INCREASE, 29, 999950, 1000950, 1000950, {0.0, 0.0}, X_VAL, 8.88888888888889, NULL},
    {"increase(g_ms[5ms])", PQF_INCREASE, 29, 999999, 1000004, 1000004, {0.0, 0.0}, X_VAL, 8.5, NULL},
    {"increase(c_negstart[2m])", PQF_INCREASE, 26, 950000, 1070000, 1070000, {0.0, 0.0}, X_VAL, 25.833333333333336, NULL},
    {"increase(g_ms[1s118ms])", PQF_INCREASE, 29, 999882, 1001000, 1001000, {0.0, 0.0}, X_VAL, 9.88888888888889, NULL},
    {"increase(g_ms[1s235ms])", PQF_INCREASE, 29, 999865, 1001100, 1001100, {0.0, 0.0}, X_VAL, 10.777777777777777, NULL},
    {"increase(c_negstart[1m])", PQF_INCREASE, 26, 980000, 1040000, 1040000, {0.0, 0.0}, X_VAL, 15.833333333333332, NULL},
    {"delta(c_lin[1m])", PQF_DELTA, 0, 1060000, 1120000, 1120000, {0.0, 0.0}, X_VAL, 40.0, NULL},
    {"delta(c_lin[1m])", PQF_DELTA, 0, 1067500, 1127500, 1127500, {0.0, 0.0}, X_VAL, 40.0, NULL},
    {"delta(c_lin[1m1s])", PQF_DELTA, 0, 1059000, 1120000, 1120000, {0.0, 0.0}, X_VAL, 40.666666666666664, NULL},
    {"delta(c_lin[5m])", PQF_DELTA, 0, 1300000, 1600000, 1600000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"delta(c_lin[45s])", PQF_DELTA, 0, 1299000, 1344000, 1344000, {0.0, 0.0}, X_NONE, 0, NULL},
    {"delta(c_reset[2m])", PQF_DELTA, 1, 980000, 1100000, 1100000, {0.0, 0.0}, X_VAL, 23.88888888888889, NULL},
    {"delta(c_reset[10m])", PQF_DELTA, 1, 590000, 1190000, 1190000, {0.0, 0.0}, X_VAL, 2.1944444444444446, NULL},
    {"delta(c_jit[2m])", PQF_DELTA, 2, 1080000, 1200000, 1200000, {0.0, 0.0}, X_VAL, 55.648766188196525, NULL},
    {"delta(c_jit[1m30s])", PQF_DELTA, 2, 1221000, 1311000, 1311000, {0.0, 0.0}, X_VAL, 40.99599653217393, NULL},
    {"delta(c_jit[1m40s1ms])", PQF_DELTA, 2, 1150499, 1250500, 1250500, {0.0, 0.0}, X_VAL, 46.012724144684405, NULL},
    {"delta(c_high[1m])", PQF_DELTA, 3, 1005000, 1065000, 1065000, {0.0, 0.0}, X_VAL, 9.0, NULL},
    {"delta(c_high[10m])", PQF_DELTA, 3, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, 45.75, NULL},
    {"delta(c_zero[10m])", PQF_DELTA, 4, 730000, 1330000, 1330000, {0.0, 0.0}, X_VAL, 36.0, NULL},
    {"delta(c_zero[2m])", PQF_DELTA, 4, 970000, 1090000, 1090000, {0.0, 0.0}, X_VAL, 12.0, NULL},
    {"delta(c_zero[1h])", PQF_DELTA, 4, 400000, 4000000, 4000000, {0.0, 0.0}, X_VAL, 36.0, NULL},
    {"delta(c_frac[1m])", PQF_DELTA, 5, 1001000, 1061000, 1061000, {0.0, 0.0}, X_VAL, 0.4, NULL},
    {"delta(g_wave[3m])", PQF_DELTA, 6, 1020000, 1200000, 1200000, {0.0, 0.0}, X_VAL, -168.80556047350896, NULL},
    {"delta(g_neg[1m])", PQF_DELTA, 7, 1010000, 1070000, 1070000, {0.0, 0.0}, X_VAL, 8.0, NULL},
    {"delta(g_two[1s])", PQF_DELTA, 18, 1099500, 1100500, 1100500, {0.0, 0.0}, X_VAL, 13.75, NULL},
    {"delta(g_dec[1s])", PQF_DELTA, 19, 1099800, 1100800, 1100800, {0.0, 0.0}, X_VAL, -7.333333333333333, NULL},
    {"delta(g_ms[1s])", PQF_DELTA, 29, 999950, 1000950, 1000950, {0.0, 0.0}, X_VAL, 8.88888888888889, NULL},
    {"delta(g_ms[5ms])", PQF_DELTA, 29, 999999, 1000004, 1000004, {0.0, 0.0}, X_VAL, 9.375, NULL},
    {"delta(c_negstart[2m])", PQF_DELTA, 26, 950000, 1070000, 1070000, {0.0, 0.0}, X_VAL, 25.833333333333336, NULL},
    {"delta(g_ms[1s118ms])", PQF_DELTA, 29, 999882, 1001000, 1001000, {0.0, 0.0}, X_VAL, 9.937777777777779, NULL},
    {"delta(g_ms[1s235ms])", PQF_DELTA, 29, 999865, 1001100, 1001100, {0.0, 0.0}, X_VAL, 10.977777777777778, NULL},
    {"delta(c_negstart[1m])", PQF_DELTA, 26, 980000, 1040000, 1040000, {0.0, 0.0}, X_VAL, 15.833333333333332, NULL},
    {"rate(c_jit[2m] offset 1m40s)", PQF_RATE, 2, 1180000, 1300000, 1400000, {0.0, 0.0}, X_VAL, 0.46168850930114924, NULL},
    {"rate(c_reset[2m] @ 1100.000)", PQF_RATE, 1, 980000, 1100000, 1900000, {0.0, 0.0}, X_VAL, 0.3935185185185185, NULL},
    {"rate(g_wave[1m30s] offset -30s)", PQF_RATE, 6, 1190000, 1280000, 1250000, {0.0, 0.0}, X_VAL, -0.6392206642652344, NULL},
    {"increase(c_jit[2m] offset 1m40s)", PQF_INCREASE, 2, 1180000, 1300000, 1400000, {0.0, 0.0}, X_VAL, 55.40262111613791, NULL},
    {"increase(c_reset[2m] @ 1100.000)", PQF_INCREASE, 1, 980000, 1100000, 1900000, {0.0, 0.0}, X_VAL, 47.22222222222222, NULL},
    {"increase(g_wave[1m30s] offset -30s)", PQF_INCREASE, 6, 1190000, 1280000, 1250000, {0.0, 0.0}, X_VAL, -57.5298597838711, NULL},
    {"delta(c_jit[2m] offset 1m40s)", PQF_DELTA, 2, 1180000, 1300000, 1400000, {0.0, 0.0}, X_VAL, 55.40262111613791, NULL},
    {"delta(c_reset[2m] @ 1100.000)", PQF_DELTA, 1, 980000, 1100000, 1900000, {0.0, 0.0}, X_VAL, 23.88888888888889, NULL},
    {"delta(g_wave[1m30s] offset -30s)", PQF_DELTA, 6, 1190000, 1280000, 1250000, {0.0, 0.0}, X_VAL, 77.95188036862032, NULL},
    {"predict_linear(c_jit[2m] offset 1m40s, 60.0)", PQF_PREDICT_LINEAR, 2, 1180000, 1300000, 1400000, {60.0, 0.0}, X_VAL, 230.36964996156354, NULL},
    {"predict_linear(c_reset[2m] @ 1100.000, 60.0)", PQF_PREDICT_LINEAR, 1, 980000, 1100000, 1900000, {60.0, 0.0}, X_VAL, 180.2142857142857, NULL},
    {"predict_linear(g_wave[1m30s] offset -30s, 60.0)", PQF_PREDICT_LINEAR, 6, 1190000, 1280000, 1250000, {60.0, 0.0}, X_VAL, -27.234586285242372, NULL},
    {"deriv(c_jit[2m] offset 1m40s)", PQF_DERIV, 2, 1180000, 1300000, 1400000, {0.0, 0.0}, X_VAL, 0.5035456265408836, NULL},
    {"deriv(c_reset[2m] @ 1100.000)", PQF_DERIV, 1, 980000, 1100000, 1900000, {0.0, 0.0}, X_VAL, 0.18571428571428572, NULL},
    {"deriv(g_wave[1m30s] offset -30s)", PQF_DERIV, 6, 1190000, 1280000, 1250000, {0.0, 0.0}, X_VAL, 0.8868304618124939, NULL},
    {"irate(c_jit[2m] offset 1m40s)", PQF_IRATE, 2, 1180000, 1300000, 1400000, {0.0, 0.0}, X_VAL, 0.4402200675995456, NULL},
    {"irate(c_reset[2m] @ 1100.000)", PQF_IRATE, 1, 980000, 1100000, 1900000, {0.0, 0.0}, X_VAL, 0.3333333333333333, NULL},
    {"irate(g_wave[1m30s] offset -30s)", PQF_IRATE, 6, 1190000, 1280000, 1250000, {0.0, 0.0}, X_VAL, 1.9918849569692203, NULL},
    {"predict_linear(g_wave[3m20s], 0.0)", PQF_PREDICT_LINEAR, 6, 1000000, 1200000, 1200000, {0.0, 0.0}, X_VAL, -65.20416618535141, NULL},
    {"predict_linear(g_wave[3m20s], -120.0)", PQF_PREDICT_LINEAR, 6, 1000000, 1200000, 1200000, {-120.0, 0.0}, X_VAL, 17.88499237873411, NULL},
    {"predict_linear(g_wave[3m20s], 3600.0)", PQF_PREDICT_LINEAR, 6, 1000000, 1200000, 1200000, {3600.0, 0.0}, X_VAL, -2557.878923107917, NULL},
    {"deriv(g_wave[1m40s])", PQF_DERIV, 6, 1050000, 1150000, 1150000, {0.0, 0.0}, X_VAL, -1.344790069592871, NULL},
    {"predict_linear(g_rand[3m20s], 0.0)", PQF_PREDICT_LINEAR, 23, 1000000, 1200000, 1200000, {0.0, 0.0}, X_VAL, -96.60581187215828, NULL},
    {"predict_linear(g_rand[3m20s], -120.0)", PQF_PREDICT_LINEAR, 23, 1000000, 1200000, 1200000, {-120.0, 0.0}, X_VAL, 34.155137077754716, NULL},
    {"predict_linear(g_rand[3m20s], 3600.0)", PQF_PREDICT_LINEAR, 23, 1000000, 1200000, 1200000, {3600.0, 0.0}, X_VAL, -4019.4342803695486, NULL},
    {"deriv(g_rand[1m40s])", PQF_DERIV, 23, 1050000, 1150000, 1150000, {0.0, 0.0}, X_VAL, -5.477147205204176, NULL},
    {"predict_linear(g_big[3m20s], 0.0)", PQF_PREDICT_LINEAR, 21, 1000000, 1200000, 1200000, {0.0, 0.0}, X_VAL, 1000000000000001.8, NULL},
    {"predict_linear(g_big[3m20s], -120.0)", PQF_PREDICT_LINEAR, 21, 1000000, 1200000, 1200000, {-120.0, 0.0}, X_VAL, 1000000000000000.5, NULL},
    {"predict_linear(g_big[3m20s], 3600.0)", PQF_PREDICT_LINEAR, 21, 1000000, 1200000, 1200000, {3600.0, 0.0}, X_VAL, 1000000000000037.8, NULL},
    {"deriv(g_big[1m40s])", PQF_DERIV, 21, 1050000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 0.020317460317460317, NULL},
    {"predict_linear(c_jit[3m20s], 0.0)", PQF_PREDICT_LINEAR, 2, 1000000, 1200000, 1200000, {0.0, 0.0}, X_VAL, 100.08037413376476, NULL},
    {"predict_linear(c_jit[3m20s], -120.0)", PQF_PREDICT_LINEAR, 2, 1000000, 1200000, 1200000, {-120.0, 0.0}, X_VAL, 42.1797684223149, NULL},
    {"predict_linear(c_jit[3m20s], 3600.0)", PQF_PREDICT_LINEAR, 2, 1000000, 1200000, 1200000, {3600.0, 0.0}, X_VAL, 1837.0985454772606, NULL},
    {"deriv(c_jit[1m40s])", PQF_DERIV, 2, 1050000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 0.49956357522267425, NULL},
    {"predict_linear(g_small[3m20s], 0.0)", PQF_PREDICT_LINEAR, 24, 1000000, 1200000, 1200000, {0.0, 0.0}, X_VAL, 1.5956043956043954e-10, NULL},
    {"predict_linear(g_small[3m20s], -120.0)", PQF_PREDICT_LINEAR, 24, 1000000, 1200000, 1200000, {-120.0, 0.0}, X_VAL, 1.3925274725274726e-10, NULL},
    {"predict_linear(g_small[3m20s], 3600.0)", PQF_PREDICT_LINEAR, 24, 1000000, 1200000, 1200000, {3600.0, 0.0}, X_VAL, 7.68791208791208e-10, NULL},
    {"deriv(g_small[1m40s])", PQF_DERIV, 24, 1050000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1.019047619047619e-12, NULL},
    {"holt_winters(g_wave[10m], 0.1, 0.9)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.1, 0.9}, X_VAL, 81.03438610408824, NULL},
    {"holt_winters(g_wave[10m], 0.9, 0.1)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.9, 0.1}, X_VAL, 80.13094754421616, NULL},
    {"holt_winters(g_wave[10m], 0.5, 0.5)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.5, 0.5}, X_VAL, 97.96868343011394, NULL},
    {"holt_winters(g_rand[10m], 0.1, 0.9)", PQF_HOLT_WINTERS, 23, 800000, 1400000, 1400000, {0.1, 0.9}, X_VAL, 355.66978654134516, NULL},
    {"holt_winters(g_rand[10m], 0.9, 0.1)", PQF_HOLT_WINTERS, 23, 800000, 1400000, 1400000, {0.9, 0.1}, X_VAL, 29.02268151076606, NULL},
    {"holt_winters(g_rand[10m], 0.5, 0.5)", PQF_HOLT_WINTERS, 23, 800000, 1400000, 1400000, {0.5, 0.5}, X_VAL, -33.01499593253712, NULL},
    {"holt_winters(g_two[10m], 0.1, 0.9)", PQF_HOLT_WINTERS, 18, 800000, 1400000, 1400000, {0.1, 0.9}, X_VAL, 9.5, NULL},
    {"holt_winters(g_two[10m], 0.9, 0.1)", PQF_HOLT_WINTERS, 18, 800000, 1400000, 1400000, {0.9, 0.1}, X_VAL, 9.5, NULL},
    {"holt_winters(g_two[10m], 0.5, 0.5)", PQF_HOLT_WINTERS, 18, 800000, 1400000, 1400000, {0.5, 0.5}, X_VAL, 9.5, NULL},
    {"holt_winters(g_wave[10m], 1.5, 0.5)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {1.5, 0.5}, X_ERR, 0, "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000"},
    {"holt_winters(g_wave[10m], 0.0, 0.5)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.0, 0.5}, X_ERR, 0, "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000"},
    {"holt_winters(g_wave[10m], 0.5, 1.0)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.5, 1.0}, X_ERR, 0, "invalid trend factor. Expected: 0 < tf < 1, got: 1.000000"},
    {"holt_winters(g_wave[10m], 0.5, -0.25)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.5, -0.25}, X_ERR, 0, "invalid trend factor. Expected: 0 < tf < 1, got: -0.250000"},
    {"holt_winters(g_wave[10m], Inf, 0.5)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {INFINITY, 0.5}, X_ERR, 0, "invalid smoothing factor. Expected: 0 < sf < 1, got: +Inf"},
    {"holt_winters(g_wave[10m], NaN, 0.5)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {NAN, 0.5}, X_VAL, NAN, NULL},
    {"holt_winters(g_wave[10m], 0.5, NaN)", PQF_HOLT_WINTERS, 6, 800000, 1400000, 1400000, {0.5, NAN}, X_VAL, NAN, NULL},
    {"holt_winters(g_one[10m], 2.0, 0.5)", PQF_HOLT_WINTERS, 20, 800000, 1400000, 1400000, {2.0, 0.5}, X_ERR, 0, "invalid smoothing factor. Expected: 0 < sf < 1, got: 2.000000"},
    {"quantile_over_time(-0.1, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {-0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.0, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, -860.8897023525182, NULL},
    {"quantile_over_time(0.1, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {0.1, 0.0}, X_VAL, -696.9595612680288, NULL},
    {"quantile_over_time(0.25, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {0.25, 0.0}, X_VAL, -475.98322346073275, NULL},
    {"quantile_over_time(0.5, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {0.5, 0.0}, X_VAL, 38.64063877560153, NULL},
    {"quantile_over_time(0.75, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {0.75, 0.0}, X_VAL, 590.6419469300533, NULL},
    {"quantile_over_time(0.99, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {0.99, 0.0}, X_VAL, 985.2102352621673, NULL},
    {"quantile_over_time(1.0, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {1.0, 0.0}, X_VAL, 994.651555978322, NULL},
    {"quantile_over_time(1.1, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {1.1, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(NaN, g_rand[10m])", PQF_QUANTILE_OVER_TIME, 23, 1000000, 1600000, 1600000, {NAN, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(-0.1, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {-0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.0, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(0.1, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {0.1, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(0.25, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {0.25, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(0.5, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {0.5, 0.0}, X_VAL, 1.0, NULL},
    {"quantile_over_time(0.75, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {0.75, 0.0}, X_VAL, 2.0, NULL},
    {"quantile_over_time(0.99, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {0.99, 0.0}, X_VAL, 2.92, NULL},
    {"quantile_over_time(1.0, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {1.0, 0.0}, X_VAL, 3.0, NULL},
    {"quantile_over_time(1.1, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {1.1, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(NaN, g_nan[10m])", PQF_QUANTILE_OVER_TIME, 8, 1000000, 1600000, 1600000, {NAN, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(-0.1, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {-0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.0, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.1, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.25, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {0.25, 0.0}, X_VAL, 1.75, NULL},
    {"quantile_over_time(0.5, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {0.5, 0.0}, X_VAL, 4.0, NULL},
    {"quantile_over_time(0.75, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {0.75, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(0.99, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {0.99, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(1.0, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {1.0, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(1.1, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {1.1, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(NaN, g_inf[10m])", PQF_QUANTILE_OVER_TIME, 9, 1000000, 1600000, 1600000, {NAN, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(-0.1, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {-0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.0, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, -7.0, NULL},
    {"quantile_over_time(0.1, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {0.1, 0.0}, X_VAL, -5.2, NULL},
    {"quantile_over_time(0.25, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {0.25, 0.0}, X_VAL, -2.875, NULL},
    {"quantile_over_time(0.5, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {0.5, 0.0}, X_VAL, -0.25, NULL},
    {"quantile_over_time(0.75, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {0.75, 0.0}, X_VAL, 1.8125, NULL},
    {"quantile_over_time(0.99, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {0.99, 0.0}, X_VAL, 9.415000000000001, NULL},
    {"quantile_over_time(1.0, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {1.0, 0.0}, X_VAL, 10.0, NULL},
    {"quantile_over_time(1.1, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {1.1, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(NaN, g_neg[10m])", PQF_QUANTILE_OVER_TIME, 7, 1000000, 1600000, 1600000, {NAN, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(-0.1, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {-0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.0, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, 1000000000000000.1, NULL},
    {"quantile_over_time(0.1, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {0.1, 0.0}, X_VAL, 1000000000000000.2, NULL},
    {"quantile_over_time(0.25, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {0.25, 0.0}, X_VAL, 1000000000000000.5, NULL},
    {"quantile_over_time(0.5, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {0.5, 0.0}, X_VAL, 1000000000000001.0, NULL},
    {"quantile_over_time(0.75, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {0.75, 0.0}, X_VAL, 1000000000000001.5, NULL},
    {"quantile_over_time(0.99, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {0.99, 0.0}, X_VAL, 1000000000000002.0, NULL},
    {"quantile_over_time(1.0, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {1.0, 0.0}, X_VAL, 1000000000000002.0, NULL},
    {"quantile_over_time(1.1, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {1.1, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(NaN, g_big[10m])", PQF_QUANTILE_OVER_TIME, 21, 1000000, 1600000, 1600000, {NAN, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(-0.1, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {-0.1, 0.0}, X_VAL, -INFINITY, NULL},
    {"quantile_over_time(0.0, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(0.1, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {0.1, 0.0}, X_VAL, NAN, NULL},
    {"quantile_over_time(0.25, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {0.25, 0.0}, X_VAL, 0.0, NULL},
    {"quantile_over_time(0.5, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {0.5, 0.0}, X_VAL, 3.5, NULL},
    {"quantile_over_time(0.75, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {0.75, 0.0}, X_VAL, 7.0, NULL},
    {"quantile_over_time(0.99, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {0.99, 0.0}, X_VAL, 10.0, NULL},
    {"quantile_over_time(1.0, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {1.0, 0.0}, X_VAL, 10.0, NULL},
    {"quantile_over_time(1.1, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {1.1, 0.0}, X_VAL, INFINITY, NULL},
    {"quantile_over_time(NaN, g_nanmany[10m])", PQF_QUANTILE_OVER_TIME, 25, 1000000, 1600000, 1600000, {NAN, 0.0}, X_VAL, NAN, NULL},
    {"avg_over_time(g_rand[2m])", PQF_AVG_OVER_TIME, 23, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1.403644434523855, NULL},
    {"sum_over_time(g_rand[2m])", PQF_SUM_OVER_TIME, 23, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 23.86195538690663, NULL},
    {"stddev_over_time(g_rand[2m])", PQF_STDDEV_OVER_TIME, 23, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 620.042224259641, NULL},
    {"stdvar_over_time(g_rand[2m])", PQF_STDVAR_OVER_TIME, 23, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 384452.35986484296, NULL},
    {"avg_over_time(g_big[2m])", PQF_AVG_OVER_TIME, 21, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1000000000000000.8, NULL},
    {"sum_over_time(g_big[2m])", PQF_SUM_OVER_TIME, 21, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 9000000000000006.0, NULL},
    {"stddev_over_time(g_big[2m])", PQF_STDDEV_OVER_TIME, 21, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 0.27322660517925, NULL},
    {"stdvar_over_time(g_big[2m])", PQF_STDVAR_OVER_TIME, 21, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 0.07465277777777778, NULL},
    {"avg_over_time(g_small[2m])", PQF_AVG_OVER_TIME, 24, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1.6155555555555555e-10, NULL},
    {"sum_over_time(g_small[2m])", PQF_SUM_OVER_TIME, 24, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1.454e-09, NULL},
    {"stddev_over_time(g_small[2m])", PQF_STDDEV_OVER_TIME, 24, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1.0618758152032562e-10, NULL},
    {"stdvar_over_time(g_small[2m])", PQF_STDVAR_OVER_TIME, 24, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1.12758024691358e-20, NULL},
    {"avg_over_time(g_huge[2m])", PQF_AVG_OVER_TIME, 22, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 2.999999999999999e+307, NULL},
    {"sum_over_time(g_huge[2m])", PQF_SUM_OVER_TIME, 22, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 6e+307, NULL},
    {"stddev_over_time(g_huge[2m])", PQF_STDDEV_OVER_TIME, 22, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"stdvar_over_time(g_huge[2m])", PQF_STDVAR_OVER_TIME, 22, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, NAN, NULL},
    {"avg_over_time(g_wave[2m])", PQF_AVG_OVER_TIME, 6, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 40.748829193076794, NULL},
    {"sum_over_time(g_wave[2m])", PQF_SUM_OVER_TIME, 6, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 366.73946273769116, NULL},
    {"stddev_over_time(g_wave[2m])", PQF_STDDEV_OVER_TIME, 6, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 38.29100500129559, NULL},
    {"stdvar_over_time(g_wave[2m])", PQF_STDVAR_OVER_TIME, 6, 1030000, 1150000, 1150000, {0.0, 0.0}, X_VAL, 1466.201064009244, NULL},
    {"count_over_time(c_reset[30s])", PQF_COUNT_OVER_TIME, 1, 1000000, 1030000, 1030000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"sum_over_time(c_reset[30s])", PQF_SUM_OVER_TIME, 1, 1000000, 1030000, 1030000, {0.0, 0.0}, X_VAL, 18.0, NULL},
    {"last_over_time(c_reset[30s])", PQF_LAST_OVER_TIME, 1, 1000000, 1030000, 1030000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"rate(c_reset[30s])", PQF_RATE, 1, 1000000, 1030000, 1030000, {0.0, 0.0}, X_VAL, 0.26666666666666666, NULL},
    {"changes(c_reset[30s])", PQF_CHANGES, 1, 1000000, 1030000, 1030000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"resets(c_reset[30s])", PQF_RESETS, 1, 1000000, 1030000, 1030000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"count_over_time(c_reset[30s])", PQF_COUNT_OVER_TIME, 1, 1015000, 1045000, 1045000, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"sum_over_time(c_reset[30s])", PQF_SUM_OVER_TIME, 1, 1015000, 1045000, 1045000, {0.0, 0.0}, X_VAL, 21.0, NULL},
    {"last_over_time(c_reset[30s])", PQF_LAST_OVER_TIME, 1, 1015000, 1045000, 1045000, {0.0, 0.0}, X_VAL, 8.0, NULL},
    {"rate(c_reset[30s])", PQF_RATE, 1, 1015000, 1045000, 1045000, {0.0, 0.0}, X_VAL, 0.26666666666666666, NULL},
    {"changes(c_reset[30s])", PQF_CHANGES, 1, 1015000, 1045000, 1045000, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"resets(c_reset[30s])", PQF_RESETS, 1, 1015000, 1045000, 1045000, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"count_over_time(c_reset[30s])", PQF_COUNT_OVER_TIME, 1, 1014999, 1044999, 1044999, {0.0, 0.0}, X_VAL, 2.0, NULL},
    {"sum_over_time(c_reset[30s])", PQF_SUM_OVER_TIME, 1, 1014999, 1044999, 1044999, {0.0, 0.0}, X_VAL, 13.0, NULL},
    {"last_over_time(c_reset[30s])", PQF_LAST_OVER_TIME, 1, 1014999, 1044999, 1044999, {0.0, 0.0}, X_VAL, 3.0, NULL},
    {"rate(c_reset[30s])", PQF_RATE, 1, 1014999, 1044999, 1044999, {0.0, 0.0}, X_VAL, 0.2, NULL},
    {"changes(c_reset[30s])", PQF_CHANGES, 1, 1014999, 1044999, 1044999, {0.0, 0.0}, X_VAL, 1.0, NULL},
    {"resets(c_reset[30s])", PQF_RESETS, 1, 1014999, 1044999, 1044999, {0.0, 0.0}, X_VAL, 1.0, NULL},
};

static const vcase value_cases[] = {
    {"abs(vector(0.0))", PQF_ABS, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"abs(vector(-0.0))", PQF_ABS, -0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"abs(vector(1.0))", PQF_ABS, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"abs(vector(-1.0))", PQF_ABS, -1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"abs(vector(0.5))", PQF_ABS, 0.5, 0, {0.0, 0.0}, X_VAL, 0.5},
    {"abs(vector(-0.5))", PQF_ABS, -0.5, 0, {0.0, 0.0}, X_VAL, 0.5},
    {"abs(vector(2.5))", PQF_ABS, 2.5, 0, {0.0, 0.0}, X_VAL, 2.5},
    {"abs(vector(-2.5))", PQF_ABS, -2.5, 0, {0.0, 0.0}, X_VAL, 2.5},
    {"abs(vector(1.5))", PQF_ABS, 1.5, 0, {0.0, 0.0}, X_VAL, 1.5},
    {"abs(vector(0.1))", PQF_ABS, 0.1, 0, {0.0, 0.0}, X_VAL, 0.1},
    {"abs(vector(3.7))", PQF_ABS, 3.7, 0, {0.0, 0.0}, X_VAL, 3.7},
    {"abs(vector(-3.7))", PQF_ABS, -3.7, 0, {0.0, 0.0}, X_VAL, 3.7},
    {"abs(vector(1000.0))", PQF_ABS, 1000.0, 0, {0.0, 0.0}, X_VAL, 1000.0},
    {"abs(vector(1e-05))", PQF_ABS, 1e-05, 0, {0.0, 0.0}, X_VAL, 1e-05},
    {"abs(vector(1e+300))", PQF_ABS, 1e+300, 0, {0.0, 0.0}, X_VAL, 1e+300},
    {"abs(vector(-1e+300))", PQF_ABS, -1e+300, 0, {0.0, 0.0}, X_VAL, 1e+300},
    {"abs(vector(123.456))", PQF_ABS, 123.456, 0, {0.0, 0.0}, X_VAL, 123.456},
    {"abs(vector(8.0))", PQF_ABS, 8.0, 0, {0.0, 0.0}, X_VAL, 8.0},
    {"abs(vector(0.75))", PQF_ABS, 0.75, 0, {0.0, 0.0}, X_VAL, 0.75},
    {"abs(vector(-0.999))", PQF_ABS, -0.999, 0, {0.0, 0.0}, X_VAL, 0.999},
    {"abs(vector(1e+20))", PQF_ABS, 1e+20, 0, {0.0, 0.0}, X_VAL, 1e+20},
    {"abs(vector(710.0))", PQF_ABS, 710.0, 0, {0.0, 0.0}, X_VAL, 710.0},
    {"abs(vector(NaN))", PQF_ABS, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"abs(vector(Inf))", PQF_ABS, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"abs(vector(-Inf))", PQF_ABS, -INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"ceil(vector(0.0))", PQF_CEIL, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"ceil(vector(-0.0))", PQF_CEIL, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"ceil(vector(1.0))", PQF_CEIL, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"ceil(vector(-1.0))", PQF_CEIL, -1.0, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"ceil(vector(0.5))", PQF_CEIL, 0.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"ceil(vector(-0.5))", PQF_CEIL, -0.5, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"ceil(vector(2.5))", PQF_CEIL, 2.5, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"ceil(vector(-2.5))", PQF_CEIL, -2.5, 0, {0.0, 0.0}, X_VAL, -2.0},
    {"ceil(vector(1.5))", PQF_CEIL, 1.5, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"ceil(vector(0.1))", PQF_CEIL, 0.1, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"ceil(vector(3.7))", PQF_CEIL, 3.7, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"ceil(vector(-3.7))", PQF_CEIL, -3.7, 0, {0.0, 0.0}, X_VAL, -3.0},
    {"ceil(vector(1000.0))", PQF_CEIL, 1000.0, 0, {0.0, 0.0}, X_VAL, 1000.0},
    {"ceil(vector(1e-05))", PQF_CEIL, 1e-05, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"ceil(vector(1e+300))", PQF_CEIL, 1e+300, 0, {0.0, 0.0}, X_VAL, 1e+300},
    {"ceil(vector(-1e+300))", PQF_CEIL, -1e+300, 0, {0.0, 0.0}, X_VAL, -1e+300},
    {"ceil(vector(123.456))", PQF_CEIL, 123.456, 0, {0.0, 0.0}, X_VAL, 124.0},
    {"ceil(vector(8.0))", PQF_CEIL, 8.0, 0, {0.0, 0.0}, X_VAL, 8.0},
    {"ceil(vector(0.75))", PQF_CEIL, 0.75, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"ceil(vector(-0.999))", PQF_CEIL, -0.999, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"ceil(vector(1e+20))", PQF_CEIL, 1e+20, 0, {0.0, 0.0}, X_VAL, 1e+20},
    {"ceil(vector(710.0))", PQF_CEIL, 710.0, 0, {0.0, 0.0}, X_VAL, 710.0},
    {"ceil(vector(NaN))", PQF_CEIL, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ceil(vector(Inf))", PQF_CEIL, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"ceil(vector(-Inf))", PQF_CEIL, -INFINITY, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"floor(vector(0.0))", PQF_FLOOR, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"floor(vector(-0.0))", PQF_FLOOR, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"floor(vector(1.0))", PQF_FLOOR, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"floor(vector(-1.0))", PQF_FLOOR, -1.0, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"floor(vector(0.5))", PQF_FLOOR, 0.5, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"floor(vector(-0.5))", PQF_FLOOR, -0.5, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"floor(vector(2.5))", PQF_FLOOR, 2.5, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"floor(vector(-2.5))", PQF_FLOOR, -2.5, 0, {0.0, 0.0}, X_VAL, -3.0},
    {"floor(vector(1.5))", PQF_FLOOR, 1.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"floor(vector(0.1))", PQF_FLOOR, 0.1, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"floor(vector(3.7))", PQF_FLOOR, 3.7, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"floor(vector(-3.7))", PQF_FLOOR, -3.7, 0, {0.0, 0.0}, X_VAL, -4.0},
    {"floor(vector(1000.0))", PQF_FLOOR, 1000.0, 0, {0.0, 0.0}, X_VAL, 1000.0},
    {"floor(vector(1e-05))", PQF_FLOOR, 1e-05, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"floor(vector(1e+300))", PQF_FLOOR, 1e+300, 0, {0.0, 0.0}, X_VAL, 1e+300},
    {"floor(vector(-1e+300))", PQF_FLOOR, -1e+300, 0, {0.0, 0.0}, X_VAL, -1e+300},
    {"floor(vector(123.456))", PQF_FLOOR, 123.456, 0, {0.0, 0.0}, X_VAL, 123.0},
    {"floor(vector(8.0))", PQF_FLOOR, 8.0, 0, {0.0, 0.0}, X_VAL, 8.0},
    {"floor(vector(0.75))", PQF_FLOOR, 0.75, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"floor(vector(-0.999))", PQF_FLOOR, -0.999, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"floor(vector(1e+20))", PQF_FLOOR, 1e+20, 0, {0.0, 0.0}, X_VAL, 1e+20},
    {"floor(vector(710.0))", PQF_FLOOR, 710.0, 0, {0.0, 0.0}, X_VAL, 710.0},
    {"floor(vector(NaN))", PQF_FLOOR, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"floor(vector(Inf))", PQF_FLOOR, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"floor(vector(-Inf))", PQF_FLOOR, -INFINITY, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"exp(vector(0.0))", PQF_EXP, 0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"exp(vector(-0.0))", PQF_EXP, -0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"exp(vector(1.0))", PQF_EXP, 1.0, 0, {0.0, 0.0}, X_VAL, 2.718281828459045},
    {"exp(vector(-1.0))", PQF_EXP, -1.0, 0, {0.0, 0.0}, X_VAL, 0.36787944117144233},
    {"exp(vector(0.5))", PQF_EXP, 0.5, 0, {0.0, 0.0}, X_VAL, 1.6487212707001282},
    {"exp(vector(-0.999))", PQF_EXP, -0.999, 0, {0.0, 0.0}, X_VAL, 0.3682475046136629},
    {"exp(vector(1.5))", PQF_EXP, 1.5, 0, {0.0, 0.0}, X_VAL, 4.481689070338065},
    {"exp(vector(1000.0))", PQF_EXP, 1000.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"exp(vector(1e+300))", PQF_EXP, 1e+300, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"exp(vector(710.0))", PQF_EXP, 710.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"exp(vector(NaN))", PQF_EXP, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"exp(vector(Inf))", PQF_EXP, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"exp(vector(-Inf))", PQF_EXP, -INFINITY, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"sqrt(vector(0.0))", PQF_SQRT, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"sqrt(vector(-0.0))", PQF_SQRT, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"sqrt(vector(1.0))", PQF_SQRT, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sqrt(vector(-1.0))", PQF_SQRT, -1.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(0.5))", PQF_SQRT, 0.5, 0, {0.0, 0.0}, X_VAL, 0.7071067811865476},
    {"sqrt(vector(-0.5))", PQF_SQRT, -0.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(2.5))", PQF_SQRT, 2.5, 0, {0.0, 0.0}, X_VAL, 1.5811388300841898},
    {"sqrt(vector(-2.5))", PQF_SQRT, -2.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(1.5))", PQF_SQRT, 1.5, 0, {0.0, 0.0}, X_VAL, 1.224744871391589},
    {"sqrt(vector(0.1))", PQF_SQRT, 0.1, 0, {0.0, 0.0}, X_VAL, 0.31622776601683794},
    {"sqrt(vector(3.7))", PQF_SQRT, 3.7, 0, {0.0, 0.0}, X_VAL, 1.9235384061671346},
    {"sqrt(vector(-3.7))", PQF_SQRT, -3.7, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(1000.0))", PQF_SQRT, 1000.0, 0, {0.0, 0.0}, X_VAL, 31.622776601683793},
    {"sqrt(vector(1e-05))", PQF_SQRT, 1e-05, 0, {0.0, 0.0}, X_VAL, 0.0031622776601683794},
    {"sqrt(vector(1e+300))", PQF_SQRT, 1e+300, 0, {0.0, 0.0}, X_VAL, 1e+150},
    {"sqrt(vector(-1e+300))", PQF_SQRT, -1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(123.456))", PQF_SQRT, 123.456, 0, {0.0, 0.0}, X_VAL, 11.111075555498667},
    {"sqrt(vector(8.0))", PQF_SQRT, 8.0, 0, {0.0, 0.0}, X_VAL, 2.8284271247461903},
    {"sqrt(vector(0.75))", PQF_SQRT, 0.75, 0, {0.0, 0.0}, X_VAL, 0.8660254037844386},
    {"sqrt(vector(-0.999))", PQF_SQRT, -0.999, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(1e+20))", PQF_SQRT, 1e+20, 0, {0.0, 0.0}, X_VAL, 10000000000.0},
    {"sqrt(vector(710.0))", PQF_SQRT, 710.0, 0, {0.0, 0.0}, X_VAL, 26.645825188948457},
    {"sqrt(vector(NaN))", PQF_SQRT, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sqrt(vector(Inf))", PQF_SQRT, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"sqrt(vector(-Inf))", PQF_SQRT, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(0.0))", PQF_LN, 0.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"ln(vector(-0.0))", PQF_LN, -0.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"ln(vector(1.0))", PQF_LN, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"ln(vector(-1.0))", PQF_LN, -1.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(0.5))", PQF_LN, 0.5, 0, {0.0, 0.0}, X_VAL, -0.6931471805599453},
    {"ln(vector(-0.5))", PQF_LN, -0.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(2.5))", PQF_LN, 2.5, 0, {0.0, 0.0}, X_VAL, 0.9162907318741551},
    {"ln(vector(-2.5))", PQF_LN, -2.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(1.5))", PQF_LN, 1.5, 0, {0.0, 0.0}, X_VAL, 0.4054651081081644},
    {"ln(vector(0.1))", PQF_LN, 0.1, 0, {0.0, 0.0}, X_VAL, -2.3025850929940455},
    {"ln(vector(3.7))", PQF_LN, 3.7, 0, {0.0, 0.0}, X_VAL, 1.308332819650179},
    {"ln(vector(-3.7))", PQF_LN, -3.7, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(1000.0))", PQF_LN, 1000.0, 0, {0.0, 0.0}, X_VAL, 6.907755278982137},
    {"ln(vector(1e-05))", PQF_LN, 1e-05, 0, {0.0, 0.0}, X_VAL, -11.512925464970229},
    {"ln(vector(1e+300))", PQF_LN, 1e+300, 0, {0.0, 0.0}, X_VAL, 690.7755278982137},
    {"ln(vector(-1e+300))", PQF_LN, -1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(123.456))", PQF_LN, 123.456, 0, {0.0, 0.0}, X_VAL, 4.815884817283264},
    {"ln(vector(8.0))", PQF_LN, 8.0, 0, {0.0, 0.0}, X_VAL, 2.0794415416798357},
    {"ln(vector(0.75))", PQF_LN, 0.75, 0, {0.0, 0.0}, X_VAL, -0.2876820724517809},
    {"ln(vector(-0.999))", PQF_LN, -0.999, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(1e+20))", PQF_LN, 1e+20, 0, {0.0, 0.0}, X_VAL, 46.051701859880914},
    {"ln(vector(710.0))", PQF_LN, 710.0, 0, {0.0, 0.0}, X_VAL, 6.565264970035361},
    {"ln(vector(NaN))", PQF_LN, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"ln(vector(Inf))", PQF_LN, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"ln(vector(-Inf))", PQF_LN, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(0.0))", PQF_LOG2, 0.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"log2(vector(-0.0))", PQF_LOG2, -0.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"log2(vector(1.0))", PQF_LOG2, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"log2(vector(-1.0))", PQF_LOG2, -1.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(0.5))", PQF_LOG2, 0.5, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"log2(vector(-0.5))", PQF_LOG2, -0.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(2.5))", PQF_LOG2, 2.5, 0, {0.0, 0.0}, X_VAL, 1.3219280948873622},
    {"log2(vector(-2.5))", PQF_LOG2, -2.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(1.5))", PQF_LOG2, 1.5, 0, {0.0, 0.0}, X_VAL, 0.5849625007211563},
    {"log2(vector(0.1))", PQF_LOG2, 0.1, 0, {0.0, 0.0}, X_VAL, -3.321928094887362},
    {"log2(vector(3.7))", PQF_LOG2, 3.7, 0, {0.0, 0.0}, X_VAL, 1.8875252707415875},
    {"log2(vector(-3.7))", PQF_LOG2, -3.7, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(1000.0))", PQF_LOG2, 1000.0, 0, {0.0, 0.0}, X_VAL, 9.965784284662087},
    {"log2(vector(1e-05))", PQF_LOG2, 1e-05, 0, {0.0, 0.0}, X_VAL, -16.609640474436812},
    {"log2(vector(1e+300))", PQF_LOG2, 1e+300, 0, {0.0, 0.0}, X_VAL, 996.5784284662087},
    {"log2(vector(-1e+300))", PQF_LOG2, -1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(123.456))", PQF_LOG2, 123.456, 0, {0.0, 0.0}, X_VAL, 6.947853143387016},
    {"log2(vector(8.0))", PQF_LOG2, 8.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"log2(vector(0.75))", PQF_LOG2, 0.75, 0, {0.0, 0.0}, X_VAL, -0.41503749927884376},
    {"log2(vector(-0.999))", PQF_LOG2, -0.999, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(1e+20))", PQF_LOG2, 1e+20, 0, {0.0, 0.0}, X_VAL, 66.43856189774725},
    {"log2(vector(710.0))", PQF_LOG2, 710.0, 0, {0.0, 0.0}, X_VAL, 9.471675214392045},
    {"log2(vector(NaN))", PQF_LOG2, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log2(vector(Inf))", PQF_LOG2, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"log2(vector(-Inf))", PQF_LOG2, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(0.0))", PQF_LOG10, 0.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"log10(vector(-0.0))", PQF_LOG10, -0.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"log10(vector(1.0))", PQF_LOG10, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"log10(vector(-1.0))", PQF_LOG10, -1.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(0.5))", PQF_LOG10, 0.5, 0, {0.0, 0.0}, X_VAL, -0.3010299956639812},
    {"log10(vector(-0.5))", PQF_LOG10, -0.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(2.5))", PQF_LOG10, 2.5, 0, {0.0, 0.0}, X_VAL, 0.3979400086720376},
    {"log10(vector(-2.5))", PQF_LOG10, -2.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(1.5))", PQF_LOG10, 1.5, 0, {0.0, 0.0}, X_VAL, 0.17609125905568124},
    {"log10(vector(0.1))", PQF_LOG10, 0.1, 0, {0.0, 0.0}, X_VAL, -0.9999999999999999},
    {"log10(vector(3.7))", PQF_LOG10, 3.7, 0, {0.0, 0.0}, X_VAL, 0.568201724066995},
    {"log10(vector(-3.7))", PQF_LOG10, -3.7, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(1000.0))", PQF_LOG10, 1000.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"log10(vector(1e-05))", PQF_LOG10, 1e-05, 0, {0.0, 0.0}, X_VAL, -5.0},
    {"log10(vector(1e+300))", PQF_LOG10, 1e+300, 0, {0.0, 0.0}, X_VAL, 300.0},
    {"log10(vector(-1e+300))", PQF_LOG10, -1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(123.456))", PQF_LOG10, 123.456, 0, {0.0, 0.0}, X_VAL, 2.0915122016277716},
    {"log10(vector(8.0))", PQF_LOG10, 8.0, 0, {0.0, 0.0}, X_VAL, 0.9030899869919435},
    {"log10(vector(0.75))", PQF_LOG10, 0.75, 0, {0.0, 0.0}, X_VAL, -0.12493873660829993},
    {"log10(vector(-0.999))", PQF_LOG10, -0.999, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(1e+20))", PQF_LOG10, 1e+20, 0, {0.0, 0.0}, X_VAL, 20.0},
    {"log10(vector(710.0))", PQF_LOG10, 710.0, 0, {0.0, 0.0}, X_VAL, 2.8512583487190755},
    {"log10(vector(NaN))", PQF_LOG10, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"log10(vector(Inf))", PQF_LOG10, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"log10(vector(-Inf))", PQF_LOG10, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sgn(vector(0.0))", PQF_SGN, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"sgn(vector(-0.0))", PQF_SGN, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"sgn(vector(1.0))", PQF_SGN, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-1.0))", PQF_SGN, -1.0, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"sgn(vector(0.5))", PQF_SGN, 0.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-0.5))", PQF_SGN, -0.5, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"sgn(vector(2.5))", PQF_SGN, 2.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-2.5))", PQF_SGN, -2.5, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"sgn(vector(1.5))", PQF_SGN, 1.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(0.1))", PQF_SGN, 0.1, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(3.7))", PQF_SGN, 3.7, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-3.7))", PQF_SGN, -3.7, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"sgn(vector(1000.0))", PQF_SGN, 1000.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(1e-05))", PQF_SGN, 1e-05, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(1e+300))", PQF_SGN, 1e+300, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-1e+300))", PQF_SGN, -1e+300, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"sgn(vector(123.456))", PQF_SGN, 123.456, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(8.0))", PQF_SGN, 8.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(0.75))", PQF_SGN, 0.75, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-0.999))", PQF_SGN, -0.999, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"sgn(vector(1e+20))", PQF_SGN, 1e+20, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(710.0))", PQF_SGN, 710.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(NaN))", PQF_SGN, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sgn(vector(Inf))", PQF_SGN, INFINITY, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"sgn(vector(-Inf))", PQF_SGN, -INFINITY, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"acos(vector(0.0))", PQF_ACOS, 0.0, 0, {0.0, 0.0}, X_VAL, 1.5707963267948966},
    {"acos(vector(-0.0))", PQF_ACOS, -0.0, 0, {0.0, 0.0}, X_VAL, 1.5707963267948966},
    {"acos(vector(1.0))", PQF_ACOS, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"acos(vector(-1.0))", PQF_ACOS, -1.0, 0, {0.0, 0.0}, X_VAL, 3.141592653589793},
    {"acos(vector(0.5))", PQF_ACOS, 0.5, 0, {0.0, 0.0}, X_VAL, 1.0471975511965976},
    {"acos(vector(-0.999))", PQF_ACOS, -0.999, 0, {0.0, 0.0}, X_VAL, 3.09686756642106},
    {"acos(vector(1.5))", PQF_ACOS, 1.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acos(vector(1000.0))", PQF_ACOS, 1000.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acos(vector(1e+300))", PQF_ACOS, 1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acos(vector(710.0))", PQF_ACOS, 710.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acos(vector(NaN))", PQF_ACOS, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acos(vector(Inf))", PQF_ACOS, INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acos(vector(-Inf))", PQF_ACOS, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(0.0))", PQF_ACOSH, 0.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(-0.0))", PQF_ACOSH, -0.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(1.0))", PQF_ACOSH, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"acosh(vector(-1.0))", PQF_ACOSH, -1.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(0.5))", PQF_ACOSH, 0.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(-0.999))", PQF_ACOSH, -0.999, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(1.5))", PQF_ACOSH, 1.5, 0, {0.0, 0.0}, X_VAL, 0.9624236501192069},
    {"acosh(vector(1000.0))", PQF_ACOSH, 1000.0, 0, {0.0, 0.0}, X_VAL, 7.600902209541989},
    {"acosh(vector(1e+300))", PQF_ACOSH, 1e+300, 0, {0.0, 0.0}, X_VAL, 691.4686750787736},
    {"acosh(vector(710.0))", PQF_ACOSH, 710.0, 0, {0.0, 0.0}, X_VAL, 7.258411654661591},
    {"acosh(vector(NaN))", PQF_ACOSH, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"acosh(vector(Inf))", PQF_ACOSH, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"acosh(vector(-Inf))", PQF_ACOSH, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(0.0))", PQF_ASIN, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"asin(vector(-0.0))", PQF_ASIN, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"asin(vector(1.0))", PQF_ASIN, 1.0, 0, {0.0, 0.0}, X_VAL, 1.5707963267948966},
    {"asin(vector(-1.0))", PQF_ASIN, -1.0, 0, {0.0, 0.0}, X_VAL, -1.5707963267948966},
    {"asin(vector(0.5))", PQF_ASIN, 0.5, 0, {0.0, 0.0}, X_VAL, 0.5235987755982989},
    {"asin(vector(-0.999))", PQF_ASIN, -0.999, 0, {0.0, 0.0}, X_VAL, -1.5260712396261635},
    {"asin(vector(1.5))", PQF_ASIN, 1.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(1000.0))", PQF_ASIN, 1000.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(1e+300))", PQF_ASIN, 1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(710.0))", PQF_ASIN, 710.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(NaN))", PQF_ASIN, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(Inf))", PQF_ASIN, INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asin(vector(-Inf))", PQF_ASIN, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asinh(vector(0.0))", PQF_ASINH, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"asinh(vector(-0.0))", PQF_ASINH, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"asinh(vector(1.0))", PQF_ASINH, 1.0, 0, {0.0, 0.0}, X_VAL, 0.881373587019543},
    {"asinh(vector(-1.0))", PQF_ASINH, -1.0, 0, {0.0, 0.0}, X_VAL, -0.881373587019543},
    {"asinh(vector(0.5))", PQF_ASINH, 0.5, 0, {0.0, 0.0}, X_VAL, 0.48121182505960347},
    {"asinh(vector(-0.999))", PQF_ASINH, -0.999, 0, {0.0, 0.0}, X_VAL, -0.8806663034322094},
    {"asinh(vector(1.5))", PQF_ASINH, 1.5, 0, {0.0, 0.0}, X_VAL, 1.1947632172871094},
    {"asinh(vector(1000.0))", PQF_ASINH, 1000.0, 0, {0.0, 0.0}, X_VAL, 7.600902709541988},
    {"asinh(vector(1e+300))", PQF_ASINH, 1e+300, 0, {0.0, 0.0}, X_VAL, 691.4686750787736},
    {"asinh(vector(710.0))", PQF_ASINH, 710.0, 0, {0.0, 0.0}, X_VAL, 7.258412646528284},
    {"asinh(vector(NaN))", PQF_ASINH, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"asinh(vector(Inf))", PQF_ASINH, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"asinh(vector(-Inf))", PQF_ASINH, -INFINITY, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"atan(vector(0.0))", PQF_ATAN, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"atan(vector(-0.0))", PQF_ATAN, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"atan(vector(1.0))", PQF_ATAN, 1.0, 0, {0.0, 0.0}, X_VAL, 0.7853981633974483},
    {"atan(vector(-1.0))", PQF_ATAN, -1.0, 0, {0.0, 0.0}, X_VAL, -0.7853981633974483},
    {"atan(vector(0.5))", PQF_ATAN, 0.5, 0, {0.0, 0.0}, X_VAL, 0.4636476090008061},
    {"atan(vector(-0.999))", PQF_ATAN, -0.999, 0, {0.0, 0.0}, X_VAL, -0.784897913314115},
    {"atan(vector(1.5))", PQF_ATAN, 1.5, 0, {0.0, 0.0}, X_VAL, 0.982793723247329},
    {"atan(vector(1000.0))", PQF_ATAN, 1000.0, 0, {0.0, 0.0}, X_VAL, 1.5697963271282296},
    {"atan(vector(1e+300))", PQF_ATAN, 1e+300, 0, {0.0, 0.0}, X_VAL, 1.5707963267948966},
    {"atan(vector(710.0))", PQF_ATAN, 710.0, 0, {0.0, 0.0}, X_VAL, 1.5693878770220002},
    {"atan(vector(NaN))", PQF_ATAN, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atan(vector(Inf))", PQF_ATAN, INFINITY, 0, {0.0, 0.0}, X_VAL, 1.5707963267948966},
    {"atan(vector(-Inf))", PQF_ATAN, -INFINITY, 0, {0.0, 0.0}, X_VAL, -1.5707963267948966},
    {"atanh(vector(0.0))", PQF_ATANH, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"atanh(vector(-0.0))", PQF_ATANH, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"atanh(vector(1.0))", PQF_ATANH, 1.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"atanh(vector(-1.0))", PQF_ATANH, -1.0, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"atanh(vector(0.5))", PQF_ATANH, 0.5, 0, {0.0, 0.0}, X_VAL, 0.5493061443340548},
    {"atanh(vector(-0.999))", PQF_ATANH, -0.999, 0, {0.0, 0.0}, X_VAL, -3.8002011672501994},
    {"atanh(vector(1.5))", PQF_ATANH, 1.5, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atanh(vector(1000.0))", PQF_ATANH, 1000.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atanh(vector(1e+300))", PQF_ATANH, 1e+300, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atanh(vector(710.0))", PQF_ATANH, 710.0, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atanh(vector(NaN))", PQF_ATANH, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atanh(vector(Inf))", PQF_ATANH, INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"atanh(vector(-Inf))", PQF_ATANH, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"cos(vector(0.0))", PQF_COS, 0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"cos(vector(-0.0))", PQF_COS, -0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"cos(vector(1.0))", PQF_COS, 1.0, 0, {0.0, 0.0}, X_VAL, 0.5403023058681398},
    {"cos(vector(-1.0))", PQF_COS, -1.0, 0, {0.0, 0.0}, X_VAL, 0.5403023058681398},
    {"cos(vector(0.5))", PQF_COS, 0.5, 0, {0.0, 0.0}, X_VAL, 0.8775825618903728},
    {"cos(vector(-0.999))", PQF_COS, -0.999, 0, {0.0, 0.0}, X_VAL, 0.5411435065615721},
    {"cos(vector(1.5))", PQF_COS, 1.5, 0, {0.0, 0.0}, X_VAL, 0.0707372016677029},
    {"cos(vector(1000.0))", PQF_COS, 1000.0, 0, {0.0, 0.0}, X_VAL, 0.5623790762907029},
    {"cos(vector(1e+300))", PQF_COS, 1e+300, 0, {0.0, 0.0}, X_VAL, -0.5753861119575491},
    {"cos(vector(710.0))", PQF_COS, 710.0, 0, {0.0, 0.0}, X_VAL, 0.999999998182636},
    {"cos(vector(NaN))", PQF_COS, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"cos(vector(Inf))", PQF_COS, INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"cos(vector(-Inf))", PQF_COS, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"cosh(vector(0.0))", PQF_COSH, 0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"cosh(vector(-0.0))", PQF_COSH, -0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"cosh(vector(1.0))", PQF_COSH, 1.0, 0, {0.0, 0.0}, X_VAL, 1.5430806348152437},
    {"cosh(vector(-1.0))", PQF_COSH, -1.0, 0, {0.0, 0.0}, X_VAL, 1.5430806348152437},
    {"cosh(vector(0.5))", PQF_COSH, 0.5, 0, {0.0, 0.0}, X_VAL, 1.1276259652063807},
    {"cosh(vector(-0.999))", PQF_COSH, -0.999, 0, {0.0, 0.0}, X_VAL, 1.541906204966115},
    {"cosh(vector(1.5))", PQF_COSH, 1.5, 0, {0.0, 0.0}, X_VAL, 2.3524096152432477},
    {"cosh(vector(1000.0))", PQF_COSH, 1000.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"cosh(vector(1e+300))", PQF_COSH, 1e+300, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"cosh(vector(710.0))", PQF_COSH, 710.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"cosh(vector(NaN))", PQF_COSH, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"cosh(vector(Inf))", PQF_COSH, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"cosh(vector(-Inf))", PQF_COSH, -INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"sin(vector(0.0))", PQF_SIN, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"sin(vector(-0.0))", PQF_SIN, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"sin(vector(1.0))", PQF_SIN, 1.0, 0, {0.0, 0.0}, X_VAL, 0.8414709848078965},
    {"sin(vector(-1.0))", PQF_SIN, -1.0, 0, {0.0, 0.0}, X_VAL, -0.8414709848078965},
    {"sin(vector(0.5))", PQF_SIN, 0.5, 0, {0.0, 0.0}, X_VAL, 0.479425538604203},
    {"sin(vector(-0.999))", PQF_SIN, -0.999, 0, {0.0, 0.0}, X_VAL, -0.8409302618566213},
    {"sin(vector(1.5))", PQF_SIN, 1.5, 0, {0.0, 0.0}, X_VAL, 0.9974949866040544},
    {"sin(vector(1000.0))", PQF_SIN, 1000.0, 0, {0.0, 0.0}, X_VAL, 0.8268795405320026},
    {"sin(vector(1e+300))", PQF_SIN, 1e+300, 0, {0.0, 0.0}, X_VAL, -0.8178819121159087},
    {"sin(vector(710.0))", PQF_SIN, 710.0, 0, {0.0, 0.0}, X_VAL, 6.0288706691585265e-05},
    {"sin(vector(NaN))", PQF_SIN, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sin(vector(Inf))", PQF_SIN, INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sin(vector(-Inf))", PQF_SIN, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sinh(vector(0.0))", PQF_SINH, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"sinh(vector(-0.0))", PQF_SINH, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"sinh(vector(1.0))", PQF_SINH, 1.0, 0, {0.0, 0.0}, X_VAL, 1.1752011936438014},
    {"sinh(vector(-1.0))", PQF_SINH, -1.0, 0, {0.0, 0.0}, X_VAL, -1.1752011936438014},
    {"sinh(vector(0.5))", PQF_SINH, 0.5, 0, {0.0, 0.0}, X_VAL, 0.5210953054937474},
    {"sinh(vector(-0.999))", PQF_SINH, -0.999, 0, {0.0, 0.0}, X_VAL, -1.173658700352452},
    {"sinh(vector(1.5))", PQF_SINH, 1.5, 0, {0.0, 0.0}, X_VAL, 2.1292794550948178},
    {"sinh(vector(1000.0))", PQF_SINH, 1000.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"sinh(vector(1e+300))", PQF_SINH, 1e+300, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"sinh(vector(710.0))", PQF_SINH, 710.0, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"sinh(vector(NaN))", PQF_SINH, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"sinh(vector(Inf))", PQF_SINH, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"sinh(vector(-Inf))", PQF_SINH, -INFINITY, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"tan(vector(0.0))", PQF_TAN, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"tan(vector(-0.0))", PQF_TAN, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"tan(vector(1.0))", PQF_TAN, 1.0, 0, {0.0, 0.0}, X_VAL, 1.557407724654902},
    {"tan(vector(-1.0))", PQF_TAN, -1.0, 0, {0.0, 0.0}, X_VAL, -1.557407724654902},
    {"tan(vector(0.5))", PQF_TAN, 0.5, 0, {0.0, 0.0}, X_VAL, 0.5463024898437905},
    {"tan(vector(-0.999))", PQF_TAN, -0.999, 0, {0.0, 0.0}, X_VAL, -1.5539875313295275},
    {"tan(vector(1.5))", PQF_TAN, 1.5, 0, {0.0, 0.0}, X_VAL, 14.101419947171719},
    {"tan(vector(1000.0))", PQF_TAN, 1000.0, 0, {0.0, 0.0}, X_VAL, 1.4703241557027187},
    {"tan(vector(1e+300))", PQF_TAN, 1e+300, 0, {0.0, 0.0}, X_VAL, 1.4214488238747243},
    {"tan(vector(710.0))", PQF_TAN, 710.0, 0, {0.0, 0.0}, X_VAL, 6.0288706801151796e-05},
    {"tan(vector(NaN))", PQF_TAN, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"tan(vector(Inf))", PQF_TAN, INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"tan(vector(-Inf))", PQF_TAN, -INFINITY, 0, {0.0, 0.0}, X_VAL, NAN},
    {"tanh(vector(0.0))", PQF_TANH, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"tanh(vector(-0.0))", PQF_TANH, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"tanh(vector(1.0))", PQF_TANH, 1.0, 0, {0.0, 0.0}, X_VAL, 0.7615941559557649},
    {"tanh(vector(-1.0))", PQF_TANH, -1.0, 0, {0.0, 0.0}, X_VAL, -0.7615941559557649},
    {"tanh(vector(0.5))", PQF_TANH, 0.5, 0, {0.0, 0.0}, X_VAL, 0.46211715726000974},
    {"tanh(vector(-0.999))", PQF_TANH, -0.999, 0, {0.0, 0.0}, X_VAL, -0.7611738616605699},
    {"tanh(vector(1.5))", PQF_TANH, 1.5, 0, {0.0, 0.0}, X_VAL, 0.9051482536448664},
    {"tanh(vector(1000.0))", PQF_TANH, 1000.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"tanh(vector(1e+300))", PQF_TANH, 1e+300, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"tanh(vector(710.0))", PQF_TANH, 710.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"tanh(vector(NaN))", PQF_TANH, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"tanh(vector(Inf))", PQF_TANH, INFINITY, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"tanh(vector(-Inf))", PQF_TANH, -INFINITY, 0, {0.0, 0.0}, X_VAL, -1.0},
    {"deg(vector(0.0))", PQF_DEG, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"deg(vector(-0.0))", PQF_DEG, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"deg(vector(1.0))", PQF_DEG, 1.0, 0, {0.0, 0.0}, X_VAL, 57.29577951308232},
    {"deg(vector(-1.0))", PQF_DEG, -1.0, 0, {0.0, 0.0}, X_VAL, -57.29577951308232},
    {"deg(vector(0.5))", PQF_DEG, 0.5, 0, {0.0, 0.0}, X_VAL, 28.64788975654116},
    {"deg(vector(-0.5))", PQF_DEG, -0.5, 0, {0.0, 0.0}, X_VAL, -28.64788975654116},
    {"deg(vector(2.5))", PQF_DEG, 2.5, 0, {0.0, 0.0}, X_VAL, 143.2394487827058},
    {"deg(vector(-2.5))", PQF_DEG, -2.5, 0, {0.0, 0.0}, X_VAL, -143.2394487827058},
    {"deg(vector(1.5))", PQF_DEG, 1.5, 0, {0.0, 0.0}, X_VAL, 85.94366926962348},
    {"deg(vector(0.1))", PQF_DEG, 0.1, 0, {0.0, 0.0}, X_VAL, 5.729577951308232},
    {"deg(vector(3.7))", PQF_DEG, 3.7, 0, {0.0, 0.0}, X_VAL, 211.9943841984046},
    {"deg(vector(-3.7))", PQF_DEG, -3.7, 0, {0.0, 0.0}, X_VAL, -211.9943841984046},
    {"deg(vector(1000.0))", PQF_DEG, 1000.0, 0, {0.0, 0.0}, X_VAL, 57295.77951308232},
    {"deg(vector(1e-05))", PQF_DEG, 1e-05, 0, {0.0, 0.0}, X_VAL, 0.0005729577951308233},
    {"deg(vector(1e+300))", PQF_DEG, 1e+300, 0, {0.0, 0.0}, X_VAL, 5.729577951308233e+301},
    {"deg(vector(-1e+300))", PQF_DEG, -1e+300, 0, {0.0, 0.0}, X_VAL, -5.729577951308233e+301},
    {"deg(vector(123.456))", PQF_DEG, 123.456, 0, {0.0, 0.0}, X_VAL, 7073.507755567091},
    {"deg(vector(8.0))", PQF_DEG, 8.0, 0, {0.0, 0.0}, X_VAL, 458.3662361046586},
    {"deg(vector(0.75))", PQF_DEG, 0.75, 0, {0.0, 0.0}, X_VAL, 42.97183463481174},
    {"deg(vector(-0.999))", PQF_DEG, -0.999, 0, {0.0, 0.0}, X_VAL, -57.23848373356924},
    {"deg(vector(1e+20))", PQF_DEG, 1e+20, 0, {0.0, 0.0}, X_VAL, 5.729577951308233e+21},
    {"deg(vector(710.0))", PQF_DEG, 710.0, 0, {0.0, 0.0}, X_VAL, 40680.003454288446},
    {"deg(vector(NaN))", PQF_DEG, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"deg(vector(Inf))", PQF_DEG, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"deg(vector(-Inf))", PQF_DEG, -INFINITY, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"rad(vector(0.0))", PQF_RAD, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"rad(vector(-0.0))", PQF_RAD, -0.0, 0, {0.0, 0.0}, X_VAL, -0.0},
    {"rad(vector(1.0))", PQF_RAD, 1.0, 0, {0.0, 0.0}, X_VAL, 0.017453292519943295},
    {"rad(vector(-1.0))", PQF_RAD, -1.0, 0, {0.0, 0.0}, X_VAL, -0.017453292519943295},
    {"rad(vector(0.5))", PQF_RAD, 0.5, 0, {0.0, 0.0}, X_VAL, 0.008726646259971648},
    {"rad(vector(-0.5))", PQF_RAD, -0.5, 0, {0.0, 0.0}, X_VAL, -0.008726646259971648},
    {"rad(vector(2.5))", PQF_RAD, 2.5, 0, {0.0, 0.0}, X_VAL, 0.04363323129985824},
    {"rad(vector(-2.5))", PQF_RAD, -2.5, 0, {0.0, 0.0}, X_VAL, -0.04363323129985824},
    {"rad(vector(1.5))", PQF_RAD, 1.5, 0, {0.0, 0.0}, X_VAL, 0.02617993877991494},
    {"rad(vector(0.1))", PQF_RAD, 0.1, 0, {0.0, 0.0}, X_VAL, 0.0017453292519943296},
    {"rad(vector(3.7))", PQF_RAD, 3.7, 0, {0.0, 0.0}, X_VAL, 0.06457718232379019},
    {"rad(vector(-3.7))", PQF_RAD, -3.7, 0, {0.0, 0.0}, X_VAL, -0.06457718232379019},
    {"rad(vector(1000.0))", PQF_RAD, 1000.0, 0, {0.0, 0.0}, X_VAL, 17.453292519943293},
    {"rad(vector(1e-05))", PQF_RAD, 1e-05, 0, {0.0, 0.0}, X_VAL, 1.7453292519943297e-07},
    {"rad(vector(1e+300))", PQF_RAD, 1e+300, 0, {0.0, 0.0}, X_VAL, 1.7453292519943294e+298},
    {"rad(vector(-1e+300))", PQF_RAD, -1e+300, 0, {0.0, 0.0}, X_VAL, -1.7453292519943294e+298},
    {"rad(vector(123.456))", PQF_RAD, 123.456, 0, {0.0, 0.0}, X_VAL, 2.1547136813421197},
    {"rad(vector(8.0))", PQF_RAD, 8.0, 0, {0.0, 0.0}, X_VAL, 0.13962634015954636},
    {"rad(vector(0.75))", PQF_RAD, 0.75, 0, {0.0, 0.0}, X_VAL, 0.01308996938995747},
    {"rad(vector(-0.999))", PQF_RAD, -0.999, 0, {0.0, 0.0}, X_VAL, -0.017435839227423353},
    {"rad(vector(1e+20))", PQF_RAD, 1e+20, 0, {0.0, 0.0}, X_VAL, 1.7453292519943296e+18},
    {"rad(vector(710.0))", PQF_RAD, 710.0, 0, {0.0, 0.0}, X_VAL, 12.39183768915974},
    {"rad(vector(NaN))", PQF_RAD, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"rad(vector(Inf))", PQF_RAD, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"rad(vector(-Inf))", PQF_RAD, -INFINITY, 0, {0.0, 0.0}, X_VAL, -INFINITY},
    {"round(vector(2.5))", PQF_ROUND, 2.5, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"round(vector(2.5), 0.1)", PQF_ROUND, 2.5, 1, {0.1, 0.0}, X_VAL, 2.5},
    {"round(vector(2.5), 0.01)", PQF_ROUND, 2.5, 1, {0.01, 0.0}, X_VAL, 2.5},
    {"round(vector(2.5), 5.0)", PQF_ROUND, 2.5, 1, {5.0, 0.0}, X_VAL, 5.0},
    {"round(vector(2.5), 0.3)", PQF_ROUND, 2.5, 1, {0.3, 0.0}, X_VAL, 2.4},
    {"round(vector(2.5), -1.0)", PQF_ROUND, 2.5, 1, {-1.0, 0.0}, X_VAL, 2.0},
    {"round(vector(2.5), 0.0)", PQF_ROUND, 2.5, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(2.5), 1e-20)", PQF_ROUND, 2.5, 1, {1e-20, 0.0}, X_VAL, 2.5},
    {"round(vector(2.5), NaN)", PQF_ROUND, 2.5, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(-2.5))", PQF_ROUND, -2.5, 0, {0.0, 0.0}, X_VAL, -2.0},
    {"round(vector(-2.5), 0.1)", PQF_ROUND, -2.5, 1, {0.1, 0.0}, X_VAL, -2.5},
    {"round(vector(-2.5), 0.01)", PQF_ROUND, -2.5, 1, {0.01, 0.0}, X_VAL, -2.5},
    {"round(vector(-2.5), 5.0)", PQF_ROUND, -2.5, 1, {5.0, 0.0}, X_VAL, 0.0},
    {"round(vector(-2.5), 0.3)", PQF_ROUND, -2.5, 1, {0.3, 0.0}, X_VAL, -2.4},
    {"round(vector(-2.5), -1.0)", PQF_ROUND, -2.5, 1, {-1.0, 0.0}, X_VAL, -3.0},
    {"round(vector(-2.5), 0.0)", PQF_ROUND, -2.5, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(-2.5), 1e-20)", PQF_ROUND, -2.5, 1, {1e-20, 0.0}, X_VAL, -2.5},
    {"round(vector(-2.5), NaN)", PQF_ROUND, -2.5, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(0.5))", PQF_ROUND, 0.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"round(vector(0.5), 0.1)", PQF_ROUND, 0.5, 1, {0.1, 0.0}, X_VAL, 0.5},
    {"round(vector(0.5), 0.01)", PQF_ROUND, 0.5, 1, {0.01, 0.0}, X_VAL, 0.5},
    {"round(vector(0.5), 5.0)", PQF_ROUND, 0.5, 1, {5.0, 0.0}, X_VAL, 0.0},
    {"round(vector(0.5), 0.3)", PQF_ROUND, 0.5, 1, {0.3, 0.0}, X_VAL, 0.6},
    {"round(vector(0.5), -1.0)", PQF_ROUND, 0.5, 1, {-1.0, 0.0}, X_VAL, -0.0},
    {"round(vector(0.5), 0.0)", PQF_ROUND, 0.5, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(0.5), 1e-20)", PQF_ROUND, 0.5, 1, {1e-20, 0.0}, X_VAL, 0.5},
    {"round(vector(0.5), NaN)", PQF_ROUND, 0.5, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(-0.5))", PQF_ROUND, -0.5, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"round(vector(-0.5), 0.1)", PQF_ROUND, -0.5, 1, {0.1, 0.0}, X_VAL, -0.5},
    {"round(vector(-0.5), 0.01)", PQF_ROUND, -0.5, 1, {0.01, 0.0}, X_VAL, -0.5},
    {"round(vector(-0.5), 5.0)", PQF_ROUND, -0.5, 1, {5.0, 0.0}, X_VAL, 0.0},
    {"round(vector(-0.5), 0.3)", PQF_ROUND, -0.5, 1, {0.3, 0.0}, X_VAL, -0.6},
    {"round(vector(-0.5), -1.0)", PQF_ROUND, -0.5, 1, {-1.0, 0.0}, X_VAL, -1.0},
    {"round(vector(-0.5), 0.0)", PQF_ROUND, -0.5, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(-0.5), 1e-20)", PQF_ROUND, -0.5, 1, {1e-20, 0.0}, X_VAL, -0.5},
    {"round(vector(-0.5), NaN)", PQF_ROUND, -0.5, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(1.5))", PQF_ROUND, 1.5, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"round(vector(1.5), 0.1)", PQF_ROUND, 1.5, 1, {0.1, 0.0}, X_VAL, 1.5},
    {"round(vector(1.5), 0.01)", PQF_ROUND, 1.5, 1, {0.01, 0.0}, X_VAL, 1.5},
    {"round(vector(1.5), 5.0)", PQF_ROUND, 1.5, 1, {5.0, 0.0}, X_VAL, 0.0},
    {"round(vector(1.5), 0.3)", PQF_ROUND, 1.5, 1, {0.3, 0.0}, X_VAL, 1.5},
    {"round(vector(1.5), -1.0)", PQF_ROUND, 1.5, 1, {-1.0, 0.0}, X_VAL, 1.0},
    {"round(vector(1.5), 0.0)", PQF_ROUND, 1.5, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(1.5), 1e-20)", PQF_ROUND, 1.5, 1, {1e-20, 0.0}, X_VAL, 1.5},
    {"round(vector(1.5), NaN)", PQF_ROUND, 1.5, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(3.49999))", PQF_ROUND, 3.49999, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"round(vector(3.49999), 0.1)", PQF_ROUND, 3.49999, 1, {0.1, 0.0}, X_VAL, 3.5},
    {"round(vector(3.49999), 0.01)", PQF_ROUND, 3.49999, 1, {0.01, 0.0}, X_VAL, 3.5},
    {"round(vector(3.49999), 5.0)", PQF_ROUND, 3.49999, 1, {5.0, 0.0}, X_VAL, 5.0},
    {"round(vector(3.49999), 0.3)", PQF_ROUND, 3.49999, 1, {0.3, 0.0}, X_VAL, 3.5999999999999996},
    {"round(vector(3.49999), -1.0)", PQF_ROUND, 3.49999, 1, {-1.0, 0.0}, X_VAL, 3.0},
    {"round(vector(3.49999), 0.0)", PQF_ROUND, 3.49999, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(3.49999), 1e-20)", PQF_ROUND, 3.49999, 1, {1e-20, 0.0}, X_VAL, 3.4999899999999995},
    {"round(vector(3.49999), NaN)", PQF_ROUND, 3.49999, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(1234.5678))", PQF_ROUND, 1234.5678, 0, {0.0, 0.0}, X_VAL, 1235.0},
    {"round(vector(1234.5678), 0.1)", PQF_ROUND, 1234.5678, 1, {0.1, 0.0}, X_VAL, 1234.6},
    {"round(vector(1234.5678), 0.01)", PQF_ROUND, 1234.5678, 1, {0.01, 0.0}, X_VAL, 1234.57},
    {"round(vector(1234.5678), 5.0)", PQF_ROUND, 1234.5678, 1, {5.0, 0.0}, X_VAL, 1235.0},
    {"round(vector(1234.5678), 0.3)", PQF_ROUND, 1234.5678, 1, {0.3, 0.0}, X_VAL, 1234.5},
    {"round(vector(1234.5678), -1.0)", PQF_ROUND, 1234.5678, 1, {-1.0, 0.0}, X_VAL, 1235.0},
    {"round(vector(1234.5678), 0.0)", PQF_ROUND, 1234.5678, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(1234.5678), 1e-20)", PQF_ROUND, 1234.5678, 1, {1e-20, 0.0}, X_VAL, 1234.5678},
    {"round(vector(1234.5678), NaN)", PQF_ROUND, 1234.5678, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(-1234.5678))", PQF_ROUND, -1234.5678, 0, {0.0, 0.0}, X_VAL, -1235.0},
    {"round(vector(-1234.5678), 0.1)", PQF_ROUND, -1234.5678, 1, {0.1, 0.0}, X_VAL, -1234.6},
    {"round(vector(-1234.5678), 0.01)", PQF_ROUND, -1234.5678, 1, {0.01, 0.0}, X_VAL, -1234.57},
    {"round(vector(-1234.5678), 5.0)", PQF_ROUND, -1234.5678, 1, {5.0, 0.0}, X_VAL, -1235.0},
    {"round(vector(-1234.5678), 0.3)", PQF_ROUND, -1234.5678, 1, {0.3, 0.0}, X_VAL, -1234.5},
    {"round(vector(-1234.5678), -1.0)", PQF_ROUND, -1234.5678, 1, {-1.0, 0.0}, X_VAL, -1235.0},
    {"round(vector(-1234.5678), 0.0)", PQF_ROUND, -1234.5678, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(-1234.5678), 1e-20)", PQF_ROUND, -1234.5678, 1, {1e-20, 0.0}, X_VAL, -1234.5678},
    {"round(vector(-1234.5678), NaN)", PQF_ROUND, -1234.5678, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(NaN))", PQF_ROUND, NAN, 0, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), 0.1)", PQF_ROUND, NAN, 1, {0.1, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), 0.01)", PQF_ROUND, NAN, 1, {0.01, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), 5.0)", PQF_ROUND, NAN, 1, {5.0, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), 0.3)", PQF_ROUND, NAN, 1, {0.3, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), -1.0)", PQF_ROUND, NAN, 1, {-1.0, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), 0.0)", PQF_ROUND, NAN, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), 1e-20)", PQF_ROUND, NAN, 1, {1e-20, 0.0}, X_VAL, NAN},
    {"round(vector(NaN), NaN)", PQF_ROUND, NAN, 1, {NAN, 0.0}, X_VAL, NAN},
    {"round(vector(Inf))", PQF_ROUND, INFINITY, 0, {0.0, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), 0.1)", PQF_ROUND, INFINITY, 1, {0.1, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), 0.01)", PQF_ROUND, INFINITY, 1, {0.01, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), 5.0)", PQF_ROUND, INFINITY, 1, {5.0, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), 0.3)", PQF_ROUND, INFINITY, 1, {0.3, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), -1.0)", PQF_ROUND, INFINITY, 1, {-1.0, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), 0.0)", PQF_ROUND, INFINITY, 1, {0.0, 0.0}, X_VAL, NAN},
    {"round(vector(Inf), 1e-20)", PQF_ROUND, INFINITY, 1, {1e-20, 0.0}, X_VAL, INFINITY},
    {"round(vector(Inf), NaN)", PQF_ROUND, INFINITY, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp(vector(-3.0), 0.0, 5.0)", PQF_CLAMP, -3.0, 2, {0.0, 5.0}, X_VAL, 0.0},
    {"clamp(vector(-3.0), -1.0, -1.0)", PQF_CLAMP, -3.0, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(-3.0), 5.0, 1.0)", PQF_CLAMP, -3.0, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(-3.0), NaN, 5.0)", PQF_CLAMP, -3.0, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(-3.0), 0.0, NaN)", PQF_CLAMP, -3.0, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(-3.0), -Inf, Inf)", PQF_CLAMP, -3.0, 2, {-INFINITY, INFINITY}, X_VAL, -3.0},
    {"clamp(vector(-3.0), 0.0, -0.0)", PQF_CLAMP, -3.0, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(-3.0), -0.0, 0.0)", PQF_CLAMP, -3.0, 2, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp_min(vector(-3.0), 1.0)", PQF_CLAMP_MIN, -3.0, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_max(vector(-3.0), 1.0)", PQF_CLAMP_MAX, -3.0, 1, {1.0, 0.0}, X_VAL, -3.0},
    {"clamp_min(vector(-3.0), NaN)", PQF_CLAMP_MIN, -3.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(-3.0), NaN)", PQF_CLAMP_MAX, -3.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(-3.0), Inf)", PQF_CLAMP_MIN, -3.0, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(-3.0), Inf)", PQF_CLAMP_MAX, -3.0, 1, {INFINITY, 0.0}, X_VAL, -3.0},
    {"clamp_min(vector(-3.0), -Inf)", PQF_CLAMP_MIN, -3.0, 1, {-INFINITY, 0.0}, X_VAL, -3.0},
    {"clamp_max(vector(-3.0), -Inf)", PQF_CLAMP_MAX, -3.0, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(-3.0), -0.0)", PQF_CLAMP_MIN, -3.0, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp_max(vector(-3.0), -0.0)", PQF_CLAMP_MAX, -3.0, 1, {-0.0, 0.0}, X_VAL, -3.0},
    {"clamp(vector(0.0), 0.0, 5.0)", PQF_CLAMP, 0.0, 2, {0.0, 5.0}, X_VAL, 0.0},
    {"clamp(vector(0.0), -1.0, -1.0)", PQF_CLAMP, 0.0, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(0.0), 5.0, 1.0)", PQF_CLAMP, 0.0, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(0.0), NaN, 5.0)", PQF_CLAMP, 0.0, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(0.0), 0.0, NaN)", PQF_CLAMP, 0.0, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(0.0), -Inf, Inf)", PQF_CLAMP, 0.0, 2, {-INFINITY, INFINITY}, X_VAL, 0.0},
    {"clamp(vector(0.0), 0.0, -0.0)", PQF_CLAMP, 0.0, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(0.0), -0.0, 0.0)", PQF_CLAMP, 0.0, 2, {-0.0, 0.0}, X_VAL, 0.0},
    {"clamp_min(vector(0.0), 1.0)", PQF_CLAMP_MIN, 0.0, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_max(vector(0.0), 1.0)", PQF_CLAMP_MAX, 0.0, 1, {1.0, 0.0}, X_VAL, 0.0},
    {"clamp_min(vector(0.0), NaN)", PQF_CLAMP_MIN, 0.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(0.0), NaN)", PQF_CLAMP_MAX, 0.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(0.0), Inf)", PQF_CLAMP_MIN, 0.0, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(0.0), Inf)", PQF_CLAMP_MAX, 0.0, 1, {INFINITY, 0.0}, X_VAL, 0.0},
    {"clamp_min(vector(0.0), -Inf)", PQF_CLAMP_MIN, 0.0, 1, {-INFINITY, 0.0}, X_VAL, 0.0},
    {"clamp_max(vector(0.0), -Inf)", PQF_CLAMP_MAX, 0.0, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(0.0), -0.0)", PQF_CLAMP_MIN, 0.0, 1, {-0.0, 0.0}, X_VAL, 0.0},
    {"clamp_max(vector(0.0), -0.0)", PQF_CLAMP_MAX, 0.0, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp(vector(2.0), 0.0, 5.0)", PQF_CLAMP, 2.0, 2, {0.0, 5.0}, X_VAL, 2.0},
    {"clamp(vector(2.0), -1.0, -1.0)", PQF_CLAMP, 2.0, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(2.0), 5.0, 1.0)", PQF_CLAMP, 2.0, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(2.0), NaN, 5.0)", PQF_CLAMP, 2.0, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(2.0), 0.0, NaN)", PQF_CLAMP, 2.0, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(2.0), -Inf, Inf)", PQF_CLAMP, 2.0, 2, {-INFINITY, INFINITY}, X_VAL, 2.0},
    {"clamp(vector(2.0), 0.0, -0.0)", PQF_CLAMP, 2.0, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(2.0), -0.0, 0.0)", PQF_CLAMP, 2.0, 2, {-0.0, 0.0}, X_VAL, 0.0},
    {"clamp_min(vector(2.0), 1.0)", PQF_CLAMP_MIN, 2.0, 1, {1.0, 0.0}, X_VAL, 2.0},
    {"clamp_max(vector(2.0), 1.0)", PQF_CLAMP_MAX, 2.0, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_min(vector(2.0), NaN)", PQF_CLAMP_MIN, 2.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(2.0), NaN)", PQF_CLAMP_MAX, 2.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(2.0), Inf)", PQF_CLAMP_MIN, 2.0, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(2.0), Inf)", PQF_CLAMP_MAX, 2.0, 1, {INFINITY, 0.0}, X_VAL, 2.0},
    {"clamp_min(vector(2.0), -Inf)", PQF_CLAMP_MIN, 2.0, 1, {-INFINITY, 0.0}, X_VAL, 2.0},
    {"clamp_max(vector(2.0), -Inf)", PQF_CLAMP_MAX, 2.0, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(2.0), -0.0)", PQF_CLAMP_MIN, 2.0, 1, {-0.0, 0.0}, X_VAL, 2.0},
    {"clamp_max(vector(2.0), -0.0)", PQF_CLAMP_MAX, 2.0, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp(vector(7.0), 0.0, 5.0)", PQF_CLAMP, 7.0, 2, {0.0, 5.0}, X_VAL, 5.0},
    {"clamp(vector(7.0), -1.0, -1.0)", PQF_CLAMP, 7.0, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(7.0), 5.0, 1.0)", PQF_CLAMP, 7.0, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(7.0), NaN, 5.0)", PQF_CLAMP, 7.0, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(7.0), 0.0, NaN)", PQF_CLAMP, 7.0, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(7.0), -Inf, Inf)", PQF_CLAMP, 7.0, 2, {-INFINITY, INFINITY}, X_VAL, 7.0},
    {"clamp(vector(7.0), 0.0, -0.0)", PQF_CLAMP, 7.0, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(7.0), -0.0, 0.0)", PQF_CLAMP, 7.0, 2, {-0.0, 0.0}, X_VAL, 0.0},
    {"clamp_min(vector(7.0), 1.0)", PQF_CLAMP_MIN, 7.0, 1, {1.0, 0.0}, X_VAL, 7.0},
    {"clamp_max(vector(7.0), 1.0)", PQF_CLAMP_MAX, 7.0, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_min(vector(7.0), NaN)", PQF_CLAMP_MIN, 7.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(7.0), NaN)", PQF_CLAMP_MAX, 7.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(7.0), Inf)", PQF_CLAMP_MIN, 7.0, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(7.0), Inf)", PQF_CLAMP_MAX, 7.0, 1, {INFINITY, 0.0}, X_VAL, 7.0},
    {"clamp_min(vector(7.0), -Inf)", PQF_CLAMP_MIN, 7.0, 1, {-INFINITY, 0.0}, X_VAL, 7.0},
    {"clamp_max(vector(7.0), -Inf)", PQF_CLAMP_MAX, 7.0, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(7.0), -0.0)", PQF_CLAMP_MIN, 7.0, 1, {-0.0, 0.0}, X_VAL, 7.0},
    {"clamp_max(vector(7.0), -0.0)", PQF_CLAMP_MAX, 7.0, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp(vector(NaN), 0.0, 5.0)", PQF_CLAMP, NAN, 2, {0.0, 5.0}, X_VAL, NAN},
    {"clamp(vector(NaN), -1.0, -1.0)", PQF_CLAMP, NAN, 2, {-1.0, -1.0}, X_VAL, NAN},
    {"clamp(vector(NaN), 5.0, 1.0)", PQF_CLAMP, NAN, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(NaN), NaN, 5.0)", PQF_CLAMP, NAN, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(NaN), 0.0, NaN)", PQF_CLAMP, NAN, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(NaN), -Inf, Inf)", PQF_CLAMP, NAN, 2, {-INFINITY, INFINITY}, X_VAL, NAN},
    {"clamp(vector(NaN), 0.0, -0.0)", PQF_CLAMP, NAN, 2, {0.0, -0.0}, X_VAL, NAN},
    {"clamp(vector(NaN), -0.0, 0.0)", PQF_CLAMP, NAN, 2, {-0.0, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(NaN), 1.0)", PQF_CLAMP_MIN, NAN, 1, {1.0, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(NaN), 1.0)", PQF_CLAMP_MAX, NAN, 1, {1.0, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(NaN), NaN)", PQF_CLAMP_MIN, NAN, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(NaN), NaN)", PQF_CLAMP_MAX, NAN, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(NaN), Inf)", PQF_CLAMP_MIN, NAN, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(NaN), Inf)", PQF_CLAMP_MAX, NAN, 1, {INFINITY, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(NaN), -Inf)", PQF_CLAMP_MIN, NAN, 1, {-INFINITY, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(NaN), -Inf)", PQF_CLAMP_MAX, NAN, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(NaN), -0.0)", PQF_CLAMP_MIN, NAN, 1, {-0.0, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(NaN), -0.0)", PQF_CLAMP_MAX, NAN, 1, {-0.0, 0.0}, X_VAL, NAN},
    {"clamp(vector(Inf), 0.0, 5.0)", PQF_CLAMP, INFINITY, 2, {0.0, 5.0}, X_VAL, 5.0},
    {"clamp(vector(Inf), -1.0, -1.0)", PQF_CLAMP, INFINITY, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(Inf), 5.0, 1.0)", PQF_CLAMP, INFINITY, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(Inf), NaN, 5.0)", PQF_CLAMP, INFINITY, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(Inf), 0.0, NaN)", PQF_CLAMP, INFINITY, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(Inf), -Inf, Inf)", PQF_CLAMP, INFINITY, 2, {-INFINITY, INFINITY}, X_VAL, INFINITY},
    {"clamp(vector(Inf), 0.0, -0.0)", PQF_CLAMP, INFINITY, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(Inf), -0.0, 0.0)", PQF_CLAMP, INFINITY, 2, {-0.0, 0.0}, X_VAL, 0.0},
    {"clamp_min(vector(Inf), 1.0)", PQF_CLAMP_MIN, INFINITY, 1, {1.0, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(Inf), 1.0)", PQF_CLAMP_MAX, INFINITY, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_min(vector(Inf), NaN)", PQF_CLAMP_MIN, INFINITY, 1, {NAN, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(Inf), NaN)", PQF_CLAMP_MAX, INFINITY, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(Inf), Inf)", PQF_CLAMP_MIN, INFINITY, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(Inf), Inf)", PQF_CLAMP_MAX, INFINITY, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_min(vector(Inf), -Inf)", PQF_CLAMP_MIN, INFINITY, 1, {-INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(Inf), -Inf)", PQF_CLAMP_MAX, INFINITY, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(Inf), -0.0)", PQF_CLAMP_MIN, INFINITY, 1, {-0.0, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(Inf), -0.0)", PQF_CLAMP_MAX, INFINITY, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp(vector(-Inf), 0.0, 5.0)", PQF_CLAMP, -INFINITY, 2, {0.0, 5.0}, X_VAL, 0.0},
    {"clamp(vector(-Inf), -1.0, -1.0)", PQF_CLAMP, -INFINITY, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(-Inf), 5.0, 1.0)", PQF_CLAMP, -INFINITY, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(-Inf), NaN, 5.0)", PQF_CLAMP, -INFINITY, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(-Inf), 0.0, NaN)", PQF_CLAMP, -INFINITY, 2, {0.0, NAN}, X_VAL, 0.0},
    {"clamp(vector(-Inf), -Inf, Inf)", PQF_CLAMP, -INFINITY, 2, {-INFINITY, INFINITY}, X_VAL, -INFINITY},
    {"clamp(vector(-Inf), 0.0, -0.0)", PQF_CLAMP, -INFINITY, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(-Inf), -0.0, 0.0)", PQF_CLAMP, -INFINITY, 2, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp_min(vector(-Inf), 1.0)", PQF_CLAMP_MIN, -INFINITY, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_max(vector(-Inf), 1.0)", PQF_CLAMP_MAX, -INFINITY, 1, {1.0, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(-Inf), NaN)", PQF_CLAMP_MIN, -INFINITY, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(-Inf), NaN)", PQF_CLAMP_MAX, -INFINITY, 1, {NAN, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(-Inf), Inf)", PQF_CLAMP_MIN, -INFINITY, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(-Inf), Inf)", PQF_CLAMP_MAX, -INFINITY, 1, {INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(-Inf), -Inf)", PQF_CLAMP_MIN, -INFINITY, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_max(vector(-Inf), -Inf)", PQF_CLAMP_MAX, -INFINITY, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(-Inf), -0.0)", PQF_CLAMP_MIN, -INFINITY, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp_max(vector(-Inf), -0.0)", PQF_CLAMP_MAX, -INFINITY, 1, {-0.0, 0.0}, X_VAL, -INFINITY},
    {"clamp(vector(-0.0), 0.0, 5.0)", PQF_CLAMP, -0.0, 2, {0.0, 5.0}, X_VAL, 0.0},
    {"clamp(vector(-0.0), -1.0, -1.0)", PQF_CLAMP, -0.0, 2, {-1.0, -1.0}, X_VAL, -1.0},
    {"clamp(vector(-0.0), 5.0, 1.0)", PQF_CLAMP, -0.0, 2, {5.0, 1.0}, X_NONE, 0},
    {"clamp(vector(-0.0), NaN, 5.0)", PQF_CLAMP, -0.0, 2, {NAN, 5.0}, X_VAL, NAN},
    {"clamp(vector(-0.0), 0.0, NaN)", PQF_CLAMP, -0.0, 2, {0.0, NAN}, X_VAL, NAN},
    {"clamp(vector(-0.0), -Inf, Inf)", PQF_CLAMP, -0.0, 2, {-INFINITY, INFINITY}, X_VAL, -0.0},
    {"clamp(vector(-0.0), 0.0, -0.0)", PQF_CLAMP, -0.0, 2, {0.0, -0.0}, X_VAL, 0.0},
    {"clamp(vector(-0.0), -0.0, 0.0)", PQF_CLAMP, -0.0, 2, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp_min(vector(-0.0), 1.0)", PQF_CLAMP_MIN, -0.0, 1, {1.0, 0.0}, X_VAL, 1.0},
    {"clamp_max(vector(-0.0), 1.0)", PQF_CLAMP_MAX, -0.0, 1, {1.0, 0.0}, X_VAL, -0.0},
    {"clamp_min(vector(-0.0), NaN)", PQF_CLAMP_MIN, -0.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_max(vector(-0.0), NaN)", PQF_CLAMP_MAX, -0.0, 1, {NAN, 0.0}, X_VAL, NAN},
    {"clamp_min(vector(-0.0), Inf)", PQF_CLAMP_MIN, -0.0, 1, {INFINITY, 0.0}, X_VAL, INFINITY},
    {"clamp_max(vector(-0.0), Inf)", PQF_CLAMP_MAX, -0.0, 1, {INFINITY, 0.0}, X_VAL, -0.0},
    {"clamp_min(vector(-0.0), -Inf)", PQF_CLAMP_MIN, -0.0, 1, {-INFINITY, 0.0}, X_VAL, -0.0},
    {"clamp_max(vector(-0.0), -Inf)", PQF_CLAMP_MAX, -0.0, 1, {-INFINITY, 0.0}, X_VAL, -INFINITY},
    {"clamp_min(vector(-0.0), -0.0)", PQF_CLAMP_MIN, -0.0, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"clamp_max(vector(-0.0), -0.0)", PQF_CLAMP_MAX, -0.0, 1, {-0.0, 0.0}, X_VAL, -0.0},
    {"day_of_month(vector(0.0))", PQF_DAY_OF_MONTH, 0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(1.0))", PQF_DAY_OF_MONTH, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(-1.0))", PQF_DAY_OF_MONTH, -1.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"day_of_month(vector(59.9))", PQF_DAY_OF_MONTH, 59.9, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(-0.5))", PQF_DAY_OF_MONTH, -0.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(86399.0))", PQF_DAY_OF_MONTH, 86399.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(951782400.0))", PQF_DAY_OF_MONTH, 951782400.0, 0, {0.0, 0.0}, X_VAL, 29.0},
    {"day_of_month(vector(951868800.0))", PQF_DAY_OF_MONTH, 951868800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(946684799.0))", PQF_DAY_OF_MONTH, 946684799.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"day_of_month(vector(1709210096.0))", PQF_DAY_OF_MONTH, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 29.0},
    {"day_of_month(vector(1700000000.7))", PQF_DAY_OF_MONTH, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 14.0},
    {"day_of_month(vector(4102444800.0))", PQF_DAY_OF_MONTH, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(4107542400.0))", PQF_DAY_OF_MONTH, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(-2208988800.0))", PQF_DAY_OF_MONTH, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(-62135596800.0))", PQF_DAY_OF_MONTH, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(-62135596801.0))", PQF_DAY_OF_MONTH, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"day_of_month(vector(253402300799.0))", PQF_DAY_OF_MONTH, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"day_of_month(vector(1000000000000.0))", PQF_DAY_OF_MONTH, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 27.0},
    {"day_of_month(vector(-1000000000000.0))", PQF_DAY_OF_MONTH, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_month(vector(1000000000000000.0))", PQF_DAY_OF_MONTH, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_month(vector(9.2e+18))", PQF_DAY_OF_MONTH, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"day_of_month(vector(-9.2e+18))", PQF_DAY_OF_MONTH, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"day_of_month(vector(1e+19))", PQF_DAY_OF_MONTH, 1e+19, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_month(vector(-1e+19))", PQF_DAY_OF_MONTH, -1e+19, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_month(vector(NaN))", PQF_DAY_OF_MONTH, NAN, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_month(vector(Inf))", PQF_DAY_OF_MONTH, INFINITY, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_month(vector(-Inf))", PQF_DAY_OF_MONTH, -INFINITY, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_month(vector(1583020799.0))", PQF_DAY_OF_MONTH, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 29.0},
    {"day_of_month(vector(1677628800.0))", PQF_DAY_OF_MONTH, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(1588291200.0))", PQF_DAY_OF_MONTH, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_month(vector(1593561540.0))", PQF_DAY_OF_MONTH, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"day_of_month(vector(1e+17))", PQF_DAY_OF_MONTH, 1e+17, 0, {0.0, 0.0}, X_VAL, 6.0},
    {"day_of_month(vector(-1e+17))", PQF_DAY_OF_MONTH, -1e+17, 0, {0.0, 0.0}, X_VAL, 27.0},
    {"day_of_week(vector(0.0))", PQF_DAY_OF_WEEK, 0.0, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_week(vector(1.0))", PQF_DAY_OF_WEEK, 1.0, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_week(vector(-1.0))", PQF_DAY_OF_WEEK, -1.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"day_of_week(vector(59.9))", PQF_DAY_OF_WEEK, 59.9, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_week(vector(-0.5))", PQF_DAY_OF_WEEK, -0.5, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_week(vector(86399.0))", PQF_DAY_OF_WEEK, 86399.0, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_week(vector(951782400.0))", PQF_DAY_OF_WEEK, 951782400.0, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"day_of_week(vector(951868800.0))", PQF_DAY_OF_WEEK, 951868800.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"day_of_week(vector(946684799.0))", PQF_DAY_OF_WEEK, 946684799.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_week(vector(1709210096.0))", PQF_DAY_OF_WEEK, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_week(vector(1700000000.7))", PQF_DAY_OF_WEEK, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"day_of_week(vector(4102444800.0))", PQF_DAY_OF_WEEK, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_week(vector(4107542400.0))", PQF_DAY_OF_WEEK, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_week(vector(-2208988800.0))", PQF_DAY_OF_WEEK, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_week(vector(-62135596800.0))", PQF_DAY_OF_WEEK, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_week(vector(-62135596801.0))", PQF_DAY_OF_WEEK, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(253402300799.0))", PQF_DAY_OF_WEEK, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_week(vector(1000000000000.0))", PQF_DAY_OF_WEEK, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_week(vector(-1000000000000.0))", PQF_DAY_OF_WEEK, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"day_of_week(vector(1000000000000000.0))", PQF_DAY_OF_WEEK, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(9.2e+18))", PQF_DAY_OF_WEEK, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_week(vector(-9.2e+18))", PQF_DAY_OF_WEEK, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"day_of_week(vector(1e+19))", PQF_DAY_OF_WEEK, 1e+19, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(-1e+19))", PQF_DAY_OF_WEEK, -1e+19, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(NaN))", PQF_DAY_OF_WEEK, NAN, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(Inf))", PQF_DAY_OF_WEEK, INFINITY, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(-Inf))", PQF_DAY_OF_WEEK, -INFINITY, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"day_of_week(vector(1583020799.0))", PQF_DAY_OF_WEEK, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 6.0},
    {"day_of_week(vector(1677628800.0))", PQF_DAY_OF_WEEK, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"day_of_week(vector(1588291200.0))", PQF_DAY_OF_WEEK, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"day_of_week(vector(1593561540.0))", PQF_DAY_OF_WEEK, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"day_of_week(vector(1e+17))", PQF_DAY_OF_WEEK, 1e+17, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"day_of_week(vector(-1e+17))", PQF_DAY_OF_WEEK, -1e+17, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"day_of_year(vector(0.0))", PQF_DAY_OF_YEAR, 0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(1.0))", PQF_DAY_OF_YEAR, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(-1.0))", PQF_DAY_OF_YEAR, -1.0, 0, {0.0, 0.0}, X_VAL, 365.0},
    {"day_of_year(vector(59.9))", PQF_DAY_OF_YEAR, 59.9, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(-0.5))", PQF_DAY_OF_YEAR, -0.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(86399.0))", PQF_DAY_OF_YEAR, 86399.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(951782400.0))", PQF_DAY_OF_YEAR, 951782400.0, 0, {0.0, 0.0}, X_VAL, 60.0},
    {"day_of_year(vector(951868800.0))", PQF_DAY_OF_YEAR, 951868800.0, 0, {0.0, 0.0}, X_VAL, 61.0},
    {"day_of_year(vector(946684799.0))", PQF_DAY_OF_YEAR, 946684799.0, 0, {0.0, 0.0}, X_VAL, 365.0},
    {"day_of_year(vector(1709210096.0))", PQF_DAY_OF_YEAR, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 60.0},
    {"day_of_year(vector(1700000000.7))", PQF_DAY_OF_YEAR, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 318.0},
    {"day_of_year(vector(4102444800.0))", PQF_DAY_OF_YEAR, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(4107542400.0))", PQF_DAY_OF_YEAR, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 60.0},
    {"day_of_year(vector(-2208988800.0))", PQF_DAY_OF_YEAR, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(-62135596800.0))", PQF_DAY_OF_YEAR, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"day_of_year(vector(-62135596801.0))", PQF_DAY_OF_YEAR, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 366.0},
    {"day_of_year(vector(253402300799.0))", PQF_DAY_OF_YEAR, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 365.0},
    {"day_of_year(vector(1000000000000.0))", PQF_DAY_OF_YEAR, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 270.0},
    {"day_of_year(vector(-1000000000000.0))", PQF_DAY_OF_YEAR, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 95.0},
    {"day_of_year(vector(1000000000000000.0))", PQF_DAY_OF_YEAR, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 187.0},
    {"day_of_year(vector(9.2e+18))", PQF_DAY_OF_YEAR, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 244.0},
    {"day_of_year(vector(-9.2e+18))", PQF_DAY_OF_YEAR, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 123.0},
    {"day_of_year(vector(1e+19))", PQF_DAY_OF_YEAR, 1e+19, 0, {0.0, 0.0}, X_VAL, 339.0},
    {"day_of_year(vector(-1e+19))", PQF_DAY_OF_YEAR, -1e+19, 0, {0.0, 0.0}, X_VAL, 339.0},
    {"day_of_year(vector(NaN))", PQF_DAY_OF_YEAR, NAN, 0, {0.0, 0.0}, X_VAL, 339.0},
    {"day_of_year(vector(Inf))", PQF_DAY_OF_YEAR, INFINITY, 0, {0.0, 0.0}, X_VAL, 339.0},
    {"day_of_year(vector(-Inf))", PQF_DAY_OF_YEAR, -INFINITY, 0, {0.0, 0.0}, X_VAL, 339.0},
    {"day_of_year(vector(1583020799.0))", PQF_DAY_OF_YEAR, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 60.0},
    {"day_of_year(vector(1677628800.0))", PQF_DAY_OF_YEAR, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 60.0},
    {"day_of_year(vector(1588291200.0))", PQF_DAY_OF_YEAR, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 122.0},
    {"day_of_year(vector(1593561540.0))", PQF_DAY_OF_YEAR, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 182.0},
    {"day_of_year(vector(1e+17))", PQF_DAY_OF_YEAR, 1e+17, 0, {0.0, 0.0}, X_VAL, 250.0},
    {"day_of_year(vector(-1e+17))", PQF_DAY_OF_YEAR, -1e+17, 0, {0.0, 0.0}, X_VAL, 117.0},
    {"days_in_month(vector(0.0))", PQF_DAYS_IN_MONTH, 0.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1.0))", PQF_DAYS_IN_MONTH, 1.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-1.0))", PQF_DAYS_IN_MONTH, -1.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(59.9))", PQF_DAYS_IN_MONTH, 59.9, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-0.5))", PQF_DAYS_IN_MONTH, -0.5, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(86399.0))", PQF_DAYS_IN_MONTH, 86399.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(951782400.0))", PQF_DAYS_IN_MONTH, 951782400.0, 0, {0.0, 0.0}, X_VAL, 29.0},
    {"days_in_month(vector(951868800.0))", PQF_DAYS_IN_MONTH, 951868800.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(946684799.0))", PQF_DAYS_IN_MONTH, 946684799.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1709210096.0))", PQF_DAYS_IN_MONTH, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 29.0},
    {"days_in_month(vector(1700000000.7))", PQF_DAYS_IN_MONTH, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"days_in_month(vector(4102444800.0))", PQF_DAYS_IN_MONTH, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(4107542400.0))", PQF_DAYS_IN_MONTH, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-2208988800.0))", PQF_DAYS_IN_MONTH, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-62135596800.0))", PQF_DAYS_IN_MONTH, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-62135596801.0))", PQF_DAYS_IN_MONTH, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(253402300799.0))", PQF_DAYS_IN_MONTH, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1000000000000.0))", PQF_DAYS_IN_MONTH, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"days_in_month(vector(-1000000000000.0))", PQF_DAYS_IN_MONTH, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"days_in_month(vector(1000000000000000.0))", PQF_DAYS_IN_MONTH, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(9.2e+18))", PQF_DAYS_IN_MONTH, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-9.2e+18))", PQF_DAYS_IN_MONTH, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1e+19))", PQF_DAYS_IN_MONTH, 1e+19, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-1e+19))", PQF_DAYS_IN_MONTH, -1e+19, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(NaN))", PQF_DAYS_IN_MONTH, NAN, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(Inf))", PQF_DAYS_IN_MONTH, INFINITY, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(-Inf))", PQF_DAYS_IN_MONTH, -INFINITY, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1583020799.0))", PQF_DAYS_IN_MONTH, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 29.0},
    {"days_in_month(vector(1677628800.0))", PQF_DAYS_IN_MONTH, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1588291200.0))", PQF_DAYS_IN_MONTH, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 31.0},
    {"days_in_month(vector(1593561540.0))", PQF_DAYS_IN_MONTH, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"days_in_month(vector(1e+17))", PQF_DAYS_IN_MONTH, 1e+17, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"days_in_month(vector(-1e+17))", PQF_DAYS_IN_MONTH, -1e+17, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"hour(vector(0.0))", PQF_HOUR, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(1.0))", PQF_HOUR, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(-1.0))", PQF_HOUR, -1.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(59.9))", PQF_HOUR, 59.9, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(-0.5))", PQF_HOUR, -0.5, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(86399.0))", PQF_HOUR, 86399.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(951782400.0))", PQF_HOUR, 951782400.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(951868800.0))", PQF_HOUR, 951868800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(946684799.0))", PQF_HOUR, 946684799.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(1709210096.0))", PQF_HOUR, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"hour(vector(1700000000.7))", PQF_HOUR, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 22.0},
    {"hour(vector(4102444800.0))", PQF_HOUR, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(4107542400.0))", PQF_HOUR, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(-2208988800.0))", PQF_HOUR, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(-62135596800.0))", PQF_HOUR, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(-62135596801.0))", PQF_HOUR, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(253402300799.0))", PQF_HOUR, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(1000000000000.0))", PQF_HOUR, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"hour(vector(-1000000000000.0))", PQF_HOUR, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 22.0},
    {"hour(vector(1000000000000000.0))", PQF_HOUR, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"hour(vector(9.2e+18))", PQF_HOUR, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 11.0},
    {"hour(vector(-9.2e+18))", PQF_HOUR, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"hour(vector(1e+19))", PQF_HOUR, 1e+19, 0, {0.0, 0.0}, X_VAL, 15.0},
    {"hour(vector(-1e+19))", PQF_HOUR, -1e+19, 0, {0.0, 0.0}, X_VAL, 15.0},
    {"hour(vector(NaN))", PQF_HOUR, NAN, 0, {0.0, 0.0}, X_VAL, 15.0},
    {"hour(vector(Inf))", PQF_HOUR, INFINITY, 0, {0.0, 0.0}, X_VAL, 15.0},
    {"hour(vector(-Inf))", PQF_HOUR, -INFINITY, 0, {0.0, 0.0}, X_VAL, 15.0},
    {"hour(vector(1583020799.0))", PQF_HOUR, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(1677628800.0))", PQF_HOUR, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(1588291200.0))", PQF_HOUR, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"hour(vector(1593561540.0))", PQF_HOUR, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 23.0},
    {"hour(vector(1e+17))", PQF_HOUR, 1e+17, 0, {0.0, 0.0}, X_VAL, 9.0},
    {"hour(vector(-1e+17))", PQF_HOUR, -1e+17, 0, {0.0, 0.0}, X_VAL, 14.0},
    {"minute(vector(0.0))", PQF_MINUTE, 0.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(1.0))", PQF_MINUTE, 1.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(-1.0))", PQF_MINUTE, -1.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(59.9))", PQF_MINUTE, 59.9, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(-0.5))", PQF_MINUTE, -0.5, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(86399.0))", PQF_MINUTE, 86399.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(951782400.0))", PQF_MINUTE, 951782400.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(951868800.0))", PQF_MINUTE, 951868800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(946684799.0))", PQF_MINUTE, 946684799.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(1709210096.0))", PQF_MINUTE, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 34.0},
    {"minute(vector(1700000000.7))", PQF_MINUTE, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 13.0},
    {"minute(vector(4102444800.0))", PQF_MINUTE, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(4107542400.0))", PQF_MINUTE, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(-2208988800.0))", PQF_MINUTE, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(-62135596800.0))", PQF_MINUTE, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(-62135596801.0))", PQF_MINUTE, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(253402300799.0))", PQF_MINUTE, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(1000000000000.0))", PQF_MINUTE, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 46.0},
    {"minute(vector(-1000000000000.0))", PQF_MINUTE, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 13.0},
    {"minute(vector(1000000000000000.0))", PQF_MINUTE, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 46.0},
    {"minute(vector(9.2e+18))", PQF_MINUTE, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 33.0},
    {"minute(vector(-9.2e+18))", PQF_MINUTE, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 26.0},
    {"minute(vector(1e+19))", PQF_MINUTE, 1e+19, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"minute(vector(-1e+19))", PQF_MINUTE, -1e+19, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"minute(vector(NaN))", PQF_MINUTE, NAN, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"minute(vector(Inf))", PQF_MINUTE, INFINITY, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"minute(vector(-Inf))", PQF_MINUTE, -INFINITY, 0, {0.0, 0.0}, X_VAL, 30.0},
    {"minute(vector(1583020799.0))", PQF_MINUTE, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(1677628800.0))", PQF_MINUTE, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(1588291200.0))", PQF_MINUTE, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"minute(vector(1593561540.0))", PQF_MINUTE, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 59.0},
    {"minute(vector(1e+17))", PQF_MINUTE, 1e+17, 0, {0.0, 0.0}, X_VAL, 46.0},
    {"minute(vector(-1e+17))", PQF_MINUTE, -1e+17, 0, {0.0, 0.0}, X_VAL, 13.0},
    {"month(vector(0.0))", PQF_MONTH, 0.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(1.0))", PQF_MONTH, 1.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(-1.0))", PQF_MONTH, -1.0, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(59.9))", PQF_MONTH, 59.9, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(-0.5))", PQF_MONTH, -0.5, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(86399.0))", PQF_MONTH, 86399.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(951782400.0))", PQF_MONTH, 951782400.0, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"month(vector(951868800.0))", PQF_MONTH, 951868800.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"month(vector(946684799.0))", PQF_MONTH, 946684799.0, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(1709210096.0))", PQF_MONTH, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"month(vector(1700000000.7))", PQF_MONTH, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 11.0},
    {"month(vector(4102444800.0))", PQF_MONTH, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(4107542400.0))", PQF_MONTH, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"month(vector(-2208988800.0))", PQF_MONTH, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(-62135596800.0))", PQF_MONTH, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"month(vector(-62135596801.0))", PQF_MONTH, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(253402300799.0))", PQF_MONTH, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(1000000000000.0))", PQF_MONTH, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 9.0},
    {"month(vector(-1000000000000.0))", PQF_MONTH, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"month(vector(1000000000000000.0))", PQF_MONTH, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 7.0},
    {"month(vector(9.2e+18))", PQF_MONTH, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 8.0},
    {"month(vector(-9.2e+18))", PQF_MONTH, -9.2e+18, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"month(vector(1e+19))", PQF_MONTH, 1e+19, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(-1e+19))", PQF_MONTH, -1e+19, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(NaN))", PQF_MONTH, NAN, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(Inf))", PQF_MONTH, INFINITY, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(-Inf))", PQF_MONTH, -INFINITY, 0, {0.0, 0.0}, X_VAL, 12.0},
    {"month(vector(1583020799.0))", PQF_MONTH, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 2.0},
    {"month(vector(1677628800.0))", PQF_MONTH, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 3.0},
    {"month(vector(1588291200.0))", PQF_MONTH, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 5.0},
    {"month(vector(1593561540.0))", PQF_MONTH, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 6.0},
    {"month(vector(1e+17))", PQF_MONTH, 1e+17, 0, {0.0, 0.0}, X_VAL, 9.0},
    {"month(vector(-1e+17))", PQF_MONTH, -1e+17, 0, {0.0, 0.0}, X_VAL, 4.0},
    {"year(vector(0.0))", PQF_YEAR, 0.0, 0, {0.0, 0.0}, X_VAL, 1970.0},
    {"year(vector(1.0))", PQF_YEAR, 1.0, 0, {0.0, 0.0}, X_VAL, 1970.0},
    {"year(vector(-1.0))", PQF_YEAR, -1.0, 0, {0.0, 0.0}, X_VAL, 1969.0},
    {"year(vector(59.9))", PQF_YEAR, 59.9, 0, {0.0, 0.0}, X_VAL, 1970.0},
    {"year(vector(-0.5))", PQF_YEAR, -0.5, 0, {0.0, 0.0}, X_VAL, 1970.0},
    {"year(vector(86399.0))", PQF_YEAR, 86399.0, 0, {0.0, 0.0}, X_VAL, 1970.0},
    {"year(vector(951782400.0))", PQF_YEAR, 951782400.0, 0, {0.0, 0.0}, X_VAL, 2000.0},
    {"year(vector(951868800.0))", PQF_YEAR, 951868800.0, 0, {0.0, 0.0}, X_VAL, 2000.0},
    {"year(vector(946684799.0))", PQF_YEAR, 946684799.0, 0, {0.0, 0.0}, X_VAL, 1999.0},
    {"year(vector(1709210096.0))", PQF_YEAR, 1709210096.0, 0, {0.0, 0.0}, X_VAL, 2024.0},
    {"year(vector(1700000000.7))", PQF_YEAR, 1700000000.7, 0, {0.0, 0.0}, X_VAL, 2023.0},
    {"year(vector(4102444800.0))", PQF_YEAR, 4102444800.0, 0, {0.0, 0.0}, X_VAL, 2100.0},
    {"year(vector(4107542400.0))", PQF_YEAR, 4107542400.0, 0, {0.0, 0.0}, X_VAL, 2100.0},
    {"year(vector(-2208988800.0))", PQF_YEAR, -2208988800.0, 0, {0.0, 0.0}, X_VAL, 1900.0},
    {"year(vector(-62135596800.0))", PQF_YEAR, -62135596800.0, 0, {0.0, 0.0}, X_VAL, 1.0},
    {"year(vector(-62135596801.0))", PQF_YEAR, -62135596801.0, 0, {0.0, 0.0}, X_VAL, 0.0},
    {"year(vector(253402300799.0))", PQF_YEAR, 253402300799.0, 0, {0.0, 0.0}, X_VAL, 9999.0},
    {"year(vector(1000000000000.0))", PQF_YEAR, 1000000000000.0, 0, {0.0, 0.0}, X_VAL, 33658.0},
    {"year(vector(-1000000000000.0))", PQF_YEAR, -1000000000000.0, 0, {0.0, 0.0}, X_VAL, -29719.0},
    {"year(vector(1000000000000000.0))", PQF_YEAR, 1000000000000000.0, 0, {0.0, 0.0}, X_VAL, 31690708.0},
    {"year(vector(9.2e+18))", PQF_YEAR, 9.2e+18, 0, {0.0, 0.0}, X_VAL, 291536396232.0},
    {"year(vector(-9.2e+18))", PQF_YEAR, -9.2e+18, 0, {0.0, 0.0}, X_VAL, -291536392293.0},
    {"year(vector(1e+19))", PQF_YEAR, 1e+19, 0, {0.0, 0.0}, X_VAL, 292277026596.0},
    {"year(vector(-1e+19))", PQF_YEAR, -1e+19, 0, {0.0, 0.0}, X_VAL, 292277026596.0},
    {"year(vector(NaN))", PQF_YEAR, NAN, 0, {0.0, 0.0}, X_VAL, 292277026596.0},
    {"year(vector(Inf))", PQF_YEAR, INFINITY, 0, {0.0, 0.0}, X_VAL, 292277026596.0},
    {"year(vector(-Inf))", PQF_YEAR, -INFINITY, 0, {0.0, 0.0}, X_VAL, 292277026596.0},
    {"year(vector(1583020799.0))", PQF_YEAR, 1583020799.0, 0, {0.0, 0.0}, X_VAL, 2020.0},
    {"year(vector(1677628800.0))", PQF_YEAR, 1677628800.0, 0, {0.0, 0.0}, X_VAL, 2023.0},
    {"year(vector(1588291200.0))", PQF_YEAR, 1588291200.0, 0, {0.0, 0.0}, X_VAL, 2020.0},
    {"year(vector(1593561540.0))", PQF_YEAR, 1593561540.0, 0, {0.0, 0.0}, X_VAL, 2020.0},
    {"year(vector(1e+17))", PQF_YEAR, 1e+17, 0, {0.0, 0.0}, X_VAL, 3168875820.0},
    {"year(vector(-1e+17))", PQF_YEAR, -1e+17, 0, {0.0, 0.0}, X_VAL, -3168871881.0},
};

/* ---- aggregation groups: values in series (label) order ---- */
static const double a_simple[] = {1.0, 2.0, 3.0, 4.0};
static const double a_dec[] = {0.1, 0.2, 0.3, 0.7, 0.001};
static const double a_huge[] = {1e+308, 1e+308, 1e+308};
static const double a_huge2[] = {1.7e+308, 1.7e+308, -1.7e+308, 1.7e+308};
static const double a_inf1[] = {INFINITY, 1.0, 2.0};
static const double a_inf2[] = {1.0, INFINITY, 2.0};
static const double a_inf3[] = {INFINITY, -INFINITY};
static const double a_inf4[] = {INFINITY, INFINITY, 5.0};
static const double a_inf5[] = {-INFINITY, -INFINITY, 5.0};
static const double a_inf6[] = {1.0, -INFINITY, INFINITY};
static const double a_infnan[] = {INFINITY, NAN};
static const double a_naninf[] = {NAN, INFINITY};
static const double a_nan1[] = {NAN, 1.0};
static const double a_nan2[] = {1.0, NAN, 3.0};
static const double a_one[] = {5.0};
static const double a_oneinf[] = {INFINITY};
static const double a_onenan[] = {NAN};
static const double a_rand[] = {94.21567552272364, 72.15594044689962, -97.70379561143608, 44.14436387203892, 36.34207380531495, 7.394066081759036, -46.634962009491446, 28.1923597159616, -77.68956528082471, -13.046949866179006, -9.255258734158716, 90.76318550421604, 75.17058807563882, -47.32218984978185, 0.11722261005967027, -64.26962389397373, 82.52556786896409, 74.10371396735337, -40.31104171027342, 27.789898973201034};
static const double a_big[] = {1000000000000000.0, 1000000000000000.1, 1000000000000000.2, 1000000000000000.2, 1000000000000000.4, 1000000000000000.5, 1000000000000000.6, 1000000000000000.8, 1000000000000000.8, 1000000000000000.9, 1000000000000001.0, 1000000000000001.1};
static const double a_neg0[] = {-0.0, 0.0};
static const double a_tiny[] = {1e-300, 3e-300, 2e-300};
static const double a_kahan[] = {1e+16, 1.0, 1.0, 1.0, 1.0};
static const acase agg_cases[] = {
    {"a_simple", a_simple, ST_ARRAY_LEN(a_simple), 2.5, 1.25, 1.118033988749895},
    {"a_dec", a_dec, ST_ARRAY_LEN(a_dec), 0.2602, 0.058296159999999986, 0.2414459773945302},
    {"a_huge", a_huge, ST_ARRAY_LEN(a_huge), 1e+308, 0.0, 0.0},
    {"a_huge2", a_huge2, ST_ARRAY_LEN(a_huge2), 8.5e+307, NAN, NAN},
    {"a_inf1", a_inf1, ST_ARRAY_LEN(a_inf1), INFINITY, NAN, NAN},
    {"a_inf2", a_inf2, ST_ARRAY_LEN(a_inf2), INFINITY, NAN, NAN},
    {"a_inf3", a_inf3, ST_ARRAY_LEN(a_inf3), NAN, NAN, NAN},
    {"a_inf4", a_inf4, ST_ARRAY_LEN(a_inf4), INFINITY, NAN, NAN},
    {"a_inf5", a_inf5, ST_ARRAY_LEN(a_inf5), -INFINITY, NAN, NAN},
    {"a_inf6", a_inf6, ST_ARRAY_LEN(a_inf6), NAN, NAN, NAN},
    {"a_infnan", a_infnan, ST_ARRAY_LEN(a_infnan), NAN, NAN, NAN},
    {"a_naninf", a_naninf, ST_ARRAY_LEN(a_naninf), NAN, NAN, NAN},
    {"a_nan1", a_nan1, ST_ARRAY_LEN(a_nan1), NAN, NAN, NAN},
    {"a_nan2", a_nan2, ST_ARRAY_LEN(a_nan2), NAN, NAN, NAN},
    {"a_one", a_one, ST_ARRAY_LEN(a_one), 5.0, 0.0, 0.0},
    {"a_oneinf", a_oneinf, ST_ARRAY_LEN(a_oneinf), INFINITY, 0.0, 0.0},
    {"a_onenan", a_onenan, ST_ARRAY_LEN(a_onenan), NAN, 0.0, 0.0},
    {"a_rand", a_rand, ST_ARRAY_LEN(a_rand), 11.83406347440059, 3418.5588357154584, 58.46844307586323},
    {"a_big", a_big, ST_ARRAY_LEN(a_big), 1000000000000000.2, 0.18229166666666666, 0.42695628191498325},
    {"a_neg0", a_neg0, ST_ARRAY_LEN(a_neg0), 0.0, 0.0, 0.0},
    {"a_tiny", a_tiny, ST_ARRAY_LEN(a_tiny), 2.0000000000000004e-300, 0.0, 0.0},
    {"a_kahan", a_kahan, ST_ARRAY_LEN(a_kahan), 2000000000000000.5, 1.5999999999999998e+31, 4000000000000000.0},
};

static const qcase quantile_cases[] = {
    {"quantile(NaN, a_simple)", NAN, a_simple, ST_ARRAY_LEN(a_simple), NAN},
    {"quantile(-0.5, a_simple)", -0.5, a_simple, ST_ARRAY_LEN(a_simple), -INFINITY},
    {"quantile(0.0, a_simple)", 0.0, a_simple, ST_ARRAY_LEN(a_simple), 1.0},
    {"quantile(0.3, a_simple)", 0.3, a_simple, ST_ARRAY_LEN(a_simple), 1.9},
    {"quantile(0.5, a_simple)", 0.5, a_simple, ST_ARRAY_LEN(a_simple), 2.5},
    {"quantile(0.95, a_simple)", 0.95, a_simple, ST_ARRAY_LEN(a_simple), 3.8499999999999996},
    {"quantile(1.0, a_simple)", 1.0, a_simple, ST_ARRAY_LEN(a_simple), 4.0},
    {"quantile(2.0, a_simple)", 2.0, a_simple, ST_ARRAY_LEN(a_simple), INFINITY},
    {"quantile(NaN, a_dec)", NAN, a_dec, ST_ARRAY_LEN(a_dec), NAN},
    {"quantile(-0.5, a_dec)", -0.5, a_dec, ST_ARRAY_LEN(a_dec), -INFINITY},
    {"quantile(0.0, a_dec)", 0.0, a_dec, ST_ARRAY_LEN(a_dec), 0.001},
    {"quantile(0.3, a_dec)", 0.3, a_dec, ST_ARRAY_LEN(a_dec), 0.12000000000000001},
    {"quantile(0.5, a_dec)", 0.5, a_dec, ST_ARRAY_LEN(a_dec), 0.2},
    {"quantile(0.95, a_dec)", 0.95, a_dec, ST_ARRAY_LEN(a_dec), 0.6199999999999999},
    {"quantile(1.0, a_dec)", 1.0, a_dec, ST_ARRAY_LEN(a_dec), 0.7},
    {"quantile(2.0, a_dec)", 2.0, a_dec, ST_ARRAY_LEN(a_dec), INFINITY},
    {"quantile(NaN, a_huge)", NAN, a_huge, ST_ARRAY_LEN(a_huge), NAN},
    {"quantile(-0.5, a_huge)", -0.5, a_huge, ST_ARRAY_LEN(a_huge), -INFINITY},
    {"quantile(0.0, a_huge)", 0.0, a_huge, ST_ARRAY_LEN(a_huge), 1e+308},
    {"quantile(0.3, a_huge)", 0.3, a_huge, ST_ARRAY_LEN(a_huge), 1e+308},
    {"quantile(0.5, a_huge)", 0.5, a_huge, ST_ARRAY_LEN(a_huge), 1e+308},
    {"quantile(0.95, a_huge)", 0.95, a_huge, ST_ARRAY_LEN(a_huge), 1e+308},
    {"quantile(1.0, a_huge)", 1.0, a_huge, ST_ARRAY_LEN(a_huge), 1e+308},
    {"quantile(2.0, a_huge)", 2.0, a_huge, ST_ARRAY_LEN(a_huge), INFINITY},
    {"quantile(NaN, a_huge2)", NAN, a_huge2, ST_ARRAY_LEN(a_huge2), NAN},
    {"quantile(-0.5, a_huge2)", -0.5, a_huge2, ST_ARRAY_LEN(a_huge2), -INFINITY},
    {"quantile(0.0, a_huge2)", 0.0, a_huge2, ST_ARRAY_LEN(a_huge2), -1.7e+308},
    {"quantile(0.3, a_huge2)", 0.3, a_huge2, ST_ARRAY_LEN(a_huge2), 1.3599999999999997e+308},
    {"quantile(0.5, a_huge2)", 0.5, a_huge2, ST_ARRAY_LEN(a_huge2), 1.7e+308},
    {"quantile(0.95, a_huge2)", 0.95, a_huge2, ST_ARRAY_LEN(a_huge2), 1.7e+308},
    {"quantile(1.0, a_huge2)", 1.0, a_huge2, ST_ARRAY_LEN(a_huge2), 1.7e+308},
    {"quantile(2.0, a_huge2)", 2.0, a_huge2, ST_ARRAY_LEN(a_huge2), INFINITY},
    {"quantile(NaN, a_inf1)", NAN, a_inf1, ST_ARRAY_LEN(a_inf1), NAN},
    {"quantile(-0.5, a_inf1)", -0.5, a_inf1, ST_ARRAY_LEN(a_inf1), -INFINITY},
    {"quantile(0.0, a_inf1)", 0.0, a_inf1, ST_ARRAY_LEN(a_inf1), 1.0},
    {"quantile(0.3, a_inf1)", 0.3, a_inf1, ST_ARRAY_LEN(a_inf1), 1.6},
    {"quantile(0.5, a_inf1)", 0.5, a_inf1, ST_ARRAY_LEN(a_inf1), NAN},
    {"quantile(0.95, a_inf1)", 0.95, a_inf1, ST_ARRAY_LEN(a_inf1), INFINITY},
    {"quantile(1.0, a_inf1)", 1.0, a_inf1, ST_ARRAY_LEN(a_inf1), NAN},
    {"quantile(2.0, a_inf1)", 2.0, a_inf1, ST_ARRAY_LEN(a_inf1), INFINITY},
    {"quantile(NaN, a_inf2)", NAN, a_inf2, ST_ARRAY_LEN(a_inf2), NAN},
    {"quantile(-0.5, a_inf2)", -0.5, a_inf2, ST_ARRAY_LEN(a_inf2), -INFINITY},
    {"quantile(0.0, a_inf2)", 0.0, a_inf2, ST_ARRAY_LEN(a_inf2), 1.0},
    {"quantile(0.3, a_inf2)", 0.3, a_inf2, ST_ARRAY_LEN(a_inf2), 1.6},
    {"quantile(0.5, a_inf2)", 0.5, a_inf2, ST_ARRAY_LEN(a_inf2), NAN},
    {"quantile(0.95, a_inf2)", 0.95, a_inf2, ST_ARRAY_LEN(a_inf2), INFINITY},
    {"quantile(1.0, a_inf2)", 1.0, a_inf2, ST_ARRAY_LEN(a_inf2), NAN},
    {"quantile(2.0, a_inf2)", 2.0, a_inf2, ST_ARRAY_LEN(a_inf2), INFINITY},
    {"quantile(NaN, a_inf3)", NAN, a_inf3, ST_ARRAY_LEN(a_inf3), NAN},
    {"quantile(-0.5, a_inf3)", -0.5, a_inf3, ST_ARRAY_LEN(a_inf3), -INFINITY},
    {"quantile(0.0, a_inf3)", 0.0, a_inf3, ST_ARRAY_LEN(a_inf3), NAN},
    {"quantile(0.3, a_inf3)", 0.3, a_inf3, ST_ARRAY_LEN(a_inf3), NAN},
    {"quantile(0.5, a_inf3)", 0.5, a_inf3, ST_ARRAY_LEN(a_inf3), NAN},
    {"quantile(0.95, a_inf3)", 0.95, a_inf3, ST_ARRAY_LEN(a_inf3), NAN},
    {"quantile(1.0, a_inf3)", 1.0, a_inf3, ST_ARRAY_LEN(a_inf3), NAN},
    {"quantile(2.0, a_inf3)", 2.0, a_inf3, ST_ARRAY_LEN(a_inf3), INFINITY},
    {"quantile(NaN, a_inf4)", NAN, a_inf4, ST_ARRAY_LEN(a_inf4), NAN},
    {"quantile(-0.5, a_inf4)", -0.5, a_inf4, ST_ARRAY_LEN(a_inf4), -INFINITY},
    {"quantile(0.0, a_inf4)", 0.0, a_inf4, ST_ARRAY_LEN(a_inf4), NAN},
    {"quantile(0.3, a_inf4)", 0.3, a_inf4, ST_ARRAY_LEN(a_inf4), INFINITY},
    {"quantile(0.5, a_inf4)", 0.5, a_inf4, ST_ARRAY_LEN(a_inf4), NAN},
    {"quantile(0.95, a_inf4)", 0.95, a_inf4, ST_ARRAY_LEN(a_inf4), INFINITY},
    {"quantile(1.0, a_inf4)", 1.0, a_inf4, ST_ARRAY_LEN(a_inf4), NAN},
    {"quantile(2.0, a_inf4)", 2.0, a_inf4, ST_ARRAY_LEN(a_inf4), INFINITY},
    {"quantile(NaN, a_inf5)", NAN, a_inf5, ST_ARRAY_LEN(a_inf5), NAN},
    {"quantile(-0.5, a_inf5)", -0.5, a_inf5, ST_ARRAY_LEN(a_inf5), -INFINITY},
    {"quantile(0.0, a_inf5)", 0.0, a_inf5, ST_ARRAY_LEN(a_inf5), NAN},
    {"quantile(0.3, a_inf5)", 0.3, a_inf5, ST_ARRAY_LEN(a_inf5), -INFINITY},
    {"quantile(0.5, a_inf5)", 0.5, a_inf5, ST_ARRAY_LEN(a_inf5), -INFINITY},
    {"quantile(0.95, a_inf5)", 0.95, a_inf5, ST_ARRAY_LEN(a_inf5), -INFINITY},
    {"quantile(1.0, a_inf5)", 1.0, a_inf5, ST_ARRAY_LEN(a_inf5), 5.0},
    {"quantile(2.0, a_inf5)", 2.0, a_inf5, ST_ARRAY_LEN(a_inf5), INFINITY},
    {"quantile(NaN, a_inf6)", NAN, a_inf6, ST_ARRAY_LEN(a_inf6), NAN},
    {"quantile(-0.5, a_inf6)", -0.5, a_inf6, ST_ARRAY_LEN(a_inf6), -INFINITY},
    {"quantile(0.0, a_inf6)", 0.0, a_inf6, ST_ARRAY_LEN(a_inf6), -INFINITY},
    {"quantile(0.3, a_inf6)", 0.3, a_inf6, ST_ARRAY_LEN(a_inf6), -INFINITY},
    {"quantile(0.5, a_inf6)", 0.5, a_inf6, ST_ARRAY_LEN(a_inf6), NAN},
    {"quantile(0.95, a_inf6)", 0.95, a_inf6, ST_ARRAY_LEN(a_inf6), INFINITY},
    {"quantile(1.0, a_inf6)", 1.0, a_inf6, ST_ARRAY_LEN(a_inf6), NAN},
    {"quantile(2.0, a_inf6)", 2.0, a_inf6, ST_ARRAY_LEN(a_inf6), INFINITY},
    {"quantile(NaN, a_infnan)", NAN, a_infnan, ST_ARRAY_LEN(a_infnan), NAN},
    {"quantile(-0.5, a_infnan)", -0.5, a_infnan, ST_ARRAY_LEN(a_infnan), -INFINITY},
    {"quantile(0.0, a_infnan)", 0.0, a_infnan, ST_ARRAY_LEN(a_infnan), NAN},
    {"quantile(0.3, a_infnan)", 0.3, a_infnan, ST_ARRAY_LEN(a_infnan), NAN},
    {"quantile(0.5, a_infnan)", 0.5, a_infnan, ST_ARRAY_LEN(a_infnan), NAN},
    {"quantile(0.95, a_infnan)", 0.95, a_infnan, ST_ARRAY_LEN(a_infnan), NAN},
    {"quantile(1.0, a_infnan)", 1.0, a_infnan, ST_ARRAY_LEN(a_infnan), NAN},
    {"quantile(2.0, a_infnan)", 2.0, a_infnan, ST_ARRAY_LEN(a_infnan), INFINITY},
    {"quantile(NaN, a_naninf)", NAN, a_naninf, ST_ARRAY_LEN(a_naninf), NAN},
    {"quantile(-0.5, a_naninf)", -0.5, a_naninf, ST_ARRAY_LEN(a_naninf), -INFINITY},
    {"quantile(0.0, a_naninf)", 0.0, a_naninf, ST_ARRAY_LEN(a_naninf), NAN},
    {"quantile(0.3, a_naninf)", 0.3, a_naninf, ST_ARRAY_LEN(a_naninf), NAN},
    {"quantile(0.5, a_naninf)", 0.5, a_naninf, ST_ARRAY_LEN(a_naninf), NAN},
    {"quantile(0.95, a_naninf)", 0.95, a_naninf, ST_ARRAY_LEN(a_naninf), NAN},
    {"quantile(1.0, a_naninf)", 1.0, a_naninf, ST_ARRAY_LEN(a_naninf), NAN},
    {"quantile(2.0, a_naninf)", 2.0, a_naninf, ST_ARRAY_LEN(a_naninf), INFINITY},
    {"quantile(NaN, a_nan1)", NAN, a_nan1, ST_ARRAY_LEN(a_nan1), NAN},
    {"quantile(-0.5, a_nan1)", -0.5, a_nan1, ST_ARRAY_LEN(a_nan1), -INFINITY},
    {"quantile(0.0, a_nan1)", 0.0, a_nan1, ST_ARRAY_LEN(a_nan1), NAN},
    {"quantile(0.3, a_nan1)", 0.3, a_nan1, ST_ARRAY_LEN(a_nan1), NAN},
    {"quantile(0.5, a_nan1)", 0.5, a_nan1, ST_ARRAY_LEN(a_nan1), NAN},
    {"quantile(0.95, a_nan1)", 0.95, a_nan1, ST_ARRAY_LEN(a_nan1), NAN},
    {"quantile(1.0, a_nan1)", 1.0, a_nan1, ST_ARRAY_LEN(a_nan1), 1.0},
    {"quantile(2.0, a_nan1)", 2.0, a_nan1, ST_ARRAY_LEN(a_nan1), INFINITY},
    {"quantile(NaN, a_nan2)", NAN, a_nan2, ST_ARRAY_LEN(a_nan2), NAN},
    {"quantile(-0.5, a_nan2)", -0.5, a_nan2, ST_ARRAY_LEN(a_nan2), -INFINITY},
    {"quantile(0.0, a_nan2)", 0.0, a_nan2, ST_ARRAY_LEN(a_nan2), NAN},
    {"quantile(0.3, a_nan2)", 0.3, a_nan2, ST_ARRAY_LEN(a_nan2), NAN},
    {"quantile(0.5, a_nan2)", 0.5, a_nan2, ST_ARRAY_LEN(a_nan2), 1.0},
    {"quantile(0.95, a_nan2)", 0.95, a_nan2, ST_ARRAY_LEN(a_nan2), 2.8},
    {"quantile(1.0, a_nan2)", 1.0, a_nan2, ST_ARRAY_LEN(a_nan2), 3.0},
    {"quantile(2.0, a_nan2)", 2.0, a_nan2, ST_ARRAY_LEN(a_nan2), INFINITY},
    {"quantile(NaN, a_one)", NAN, a_one, ST_ARRAY_LEN(a_one), NAN},
    {"quantile(-0.5, a_one)", -0.5, a_one, ST_ARRAY_LEN(a_one), -INFINITY},
    {"quantile(0.0, a_one)", 0.0, a_one, ST_ARRAY_LEN(a_one), 5.0},
    {"quantile(0.3, a_one)", 0.3, a_one, ST_ARRAY_LEN(a_one), 5.0},
    {"quantile(0.5, a_one)", 0.5, a_one, ST_ARRAY_LEN(a_one), 5.0},
    {"quantile(0.95, a_one)", 0.95, a_one, ST_ARRAY_LEN(a_one), 5.0},
    {"quantile(1.0, a_one)", 1.0, a_one, ST_ARRAY_LEN(a_one), 5.0},
    {"quantile(2.0, a_one)", 2.0, a_one, ST_ARRAY_LEN(a_one), INFINITY},
    {"quantile(NaN, a_oneinf)", NAN, a_oneinf, ST_ARRAY_LEN(a_oneinf), NAN},
    {"quantile(-0.5, a_oneinf)", -0.5, a_oneinf, ST_ARRAY_LEN(a_oneinf), -INFINITY},
    {"quantile(0.0, a_oneinf)", 0.0, a_oneinf, ST_ARRAY_LEN(a_oneinf), NAN},
    {"quantile(0.3, a_oneinf)", 0.3, a_oneinf, ST_ARRAY_LEN(a_oneinf), NAN},
    {"quantile(0.5, a_oneinf)", 0.5, a_oneinf, ST_ARRAY_LEN(a_oneinf), NAN},
    {"quantile(0.95, a_oneinf)", 0.95, a_oneinf, ST_ARRAY_LEN(a_oneinf), NAN},
    {"quantile(1.0, a_oneinf)", 1.0, a_oneinf, ST_ARRAY_LEN(a_oneinf), NAN},
    {"quantile(2.0, a_oneinf)", 2.0, a_oneinf, ST_ARRAY_LEN(a_oneinf), INFINITY},
    {"quantile(NaN, a_onenan)", NAN, a_onenan, ST_ARRAY_LEN(a_onenan), NAN},
    {"quantile(-0.5, a_onenan)", -0.5, a_onenan, ST_ARRAY_LEN(a_onenan), -INFINITY},
    {"quantile(0.0, a_onenan)", 0.0, a_onenan, ST_ARRAY_LEN(a_onenan), NAN},
    {"quantile(0.3, a_onenan)", 0.3, a_onenan, ST_ARRAY_LEN(a_onenan), NAN},
    {"quantile(0.5, a_onenan)", 0.5, a_onenan, ST_ARRAY_LEN(a_onenan), NAN},
    {"quantile(0.95, a_onenan)", 0.95, a_onenan, ST_ARRAY_LEN(a_onenan), NAN},
    {"quantile(1.0, a_onenan)", 1.0, a_onenan, ST_ARRAY_LEN(a_onenan), NAN},
    {"quantile(2.0, a_onenan)", 2.0, a_onenan, ST_ARRAY_LEN(a_onenan), INFINITY},
    {"quantile(NaN, a_rand)", NAN, a_rand, ST_ARRAY_LEN(a_rand), NAN},
    {"quantile(-0.5, a_rand)", -0.5, a_rand, ST_ARRAY_LEN(a_rand), -INFINITY},
    {"quantile(0.0, a_rand)", 0.0, a_rand, ST_ARRAY_LEN(a_rand), -97.70379561143608},
    {"quantile(0.3, a_rand)", 0.3, a_rand, ST_ARRAY_LEN(a_rand), -21.226177419407325},
    {"quantile(0.5, a_rand)", 0.5, a_rand, ST_ARRAY_LEN(a_rand), 17.591982527480035},
    {"quantile(0.95, a_rand)", 0.95, a_rand, ST_ARRAY_LEN(a_rand), 90.93581000514142},
    {"quantile(1.0, a_rand)", 1.0, a_rand, ST_ARRAY_LEN(a_rand), 94.21567552272364},
    {"quantile(2.0, a_rand)", 2.0, a_rand, ST_ARRAY_LEN(a_rand), INFINITY},
    {"quantile(NaN, a_big)", NAN, a_big, ST_ARRAY_LEN(a_big), NAN},
    {"quantile(-0.5, a_big)", -0.5, a_big, ST_ARRAY_LEN(a_big), -INFINITY},
    {"quantile(0.0, a_big)", 0.0, a_big, ST_ARRAY_LEN(a_big), 1000000000000000.0},
    {"quantile(0.3, a_big)", 0.3, a_big, ST_ARRAY_LEN(a_big), 1000000000000000.2},
    {"quantile(0.5, a_big)", 0.5, a_big, ST_ARRAY_LEN(a_big), 1000000000000000.5},
    {"quantile(0.95, a_big)", 0.95, a_big, ST_ARRAY_LEN(a_big), 1000000000000001.0},
    {"quantile(1.0, a_big)", 1.0, a_big, ST_ARRAY_LEN(a_big), 1000000000000001.1},
    {"quantile(2.0, a_big)", 2.0, a_big, ST_ARRAY_LEN(a_big), INFINITY},
    {"quantile(NaN, a_neg0)", NAN, a_neg0, ST_ARRAY_LEN(a_neg0), NAN},
    {"quantile(-0.5, a_neg0)", -0.5, a_neg0, ST_ARRAY_LEN(a_neg0), -INFINITY},
    {"quantile(0.0, a_neg0)", 0.0, a_neg0, ST_ARRAY_LEN(a_neg0), 0.0},
    {"quantile(0.3, a_neg0)", 0.3, a_neg0, ST_ARRAY_LEN(a_neg0), 0.0},
    {"quantile(0.5, a_neg0)", 0.5, a_neg0, ST_ARRAY_LEN(a_neg0), 0.0},
    {"quantile(0.95, a_neg0)", 0.95, a_neg0, ST_ARRAY_LEN(a_neg0), 0.0},
    {"quantile(1.0, a_neg0)", 1.0, a_neg0, ST_ARRAY_LEN(a_neg0), 0.0},
    {"quantile(2.0, a_neg0)", 2.0, a_neg0, ST_ARRAY_LEN(a_neg0), INFINITY},
    {"quantile(NaN, a_tiny)", NAN, a_tiny, ST_ARRAY_LEN(a_tiny), NAN},
    {"quantile(-0.5, a_tiny)", -0.5, a_tiny, ST_ARRAY_LEN(a_tiny), -INFINITY},
    {"quantile(0.0, a_tiny)", 0.0, a_tiny, ST_ARRAY_LEN(a_tiny), 1e-300},
    {"quantile(0.3, a_tiny)", 0.3, a_tiny, ST_ARRAY_LEN(a_tiny), 1.6e-300},
    {"quantile(0.5, a_tiny)", 0.5, a_tiny, ST_ARRAY_LEN(a_tiny), 2e-300},
    {"quantile(0.95, a_tiny)", 0.95, a_tiny, ST_ARRAY_LEN(a_tiny), 2.9000000000000003e-300},
    {"quantile(1.0, a_tiny)", 1.0, a_tiny, ST_ARRAY_LEN(a_tiny), 3e-300},
    {"quantile(2.0, a_tiny)", 2.0, a_tiny, ST_ARRAY_LEN(a_tiny), INFINITY},
    {"quantile(NaN, a_kahan)", NAN, a_kahan, ST_ARRAY_LEN(a_kahan), NAN},
    {"quantile(-0.5, a_kahan)", -0.5, a_kahan, ST_ARRAY_LEN(a_kahan), -INFINITY},
    {"quantile(0.0, a_kahan)", 0.0, a_kahan, ST_ARRAY_LEN(a_kahan), 1.0},
    {"quantile(0.3, a_kahan)", 0.3, a_kahan, ST_ARRAY_LEN(a_kahan), 1.0},
    {"quantile(0.5, a_kahan)", 0.5, a_kahan, ST_ARRAY_LEN(a_kahan), 1.0},
    {"quantile(0.95, a_kahan)", 0.95, a_kahan, ST_ARRAY_LEN(a_kahan), 7999999999999998.0},
    {"quantile(1.0, a_kahan)", 1.0, a_kahan, ST_ARRAY_LEN(a_kahan), 1e+16},
    {"quantile(2.0, a_kahan)", 2.0, a_kahan, ST_ARRAY_LEN(a_kahan), INFINITY},
};

/* ---- histograms: buckets in series (label) order ---- */
static const pqf_bucket h_basic[] = {{INFINITY, 10.0}, {0.1, 0.0}, {0.5, 3.0}, {1.0, 7.0}, {5.0, 9.0}};
static const pqf_bucket h_noinf[] = {{0.1, 1.0}, {1.0, 5.0}, {10.0, 8.0}};
static const pqf_bucket h_onlyinf[] = {{INFINITY, 10.0}};
static const pqf_bucket h_zero[] = {{INFINITY, 0.0}, {1.0, 0.0}, {2.0, 0.0}};
static const pqf_bucket h_nonmono[] = {{INFINITY, 8.0}, {1.0, 5.0}, {10.0, 6.0}, {2.0, 3.0}, {5.0, 8.0}};
static const pqf_bucket h_neg[] = {{INFINITY, 6.0}, {-1.0, 2.0}, {0.0, 4.0}, {1.0, 6.0}};
static const pqf_bucket h_negonly[] = {{INFINITY, 4.0}, {-1.0, 3.0}, {-5.0, 1.0}};
static const pqf_bucket h_dup[] = {{INFINITY, 8.0}, {1.0, 2.0}, {1.0, 3.0}, {2.0, 6.0}};
static const pqf_bucket h_dupinf[] = {{INFINITY, 3.0}, {1.0, 2.0}, {INFINITY, 4.0}};
static const pqf_bucket h_inftail[] = {{INFINITY, 100.0}, {1.0, 1.0}, {2.0, 2.0}};
static const pqf_bucket h_nan[] = {{INFINITY, 8.0}, {1.0, 2.0}, {2.0, NAN}, {5.0, 6.0}};
static const pqf_bucket h_nanfirst[] = {{INFINITY, 8.0}, {1.0, NAN}, {2.0, 4.0}};
static const pqf_bucket h_many[] = {{INFINITY, 200.0}, {0.005, 0.0}, {0.01, 1.0}, {0.02, 4.0}, {0.04, 9.0}, {0.08, 16.0}, {0.16, 25.0}, {0.32, 36.0}, {0.64, 49.0}, {1.28, 64.0}, {10.24, 121.0}, {2.56, 81.0}, {20.48, 144.0}, {40.96, 169.0}, {5.12, 100.0}};
static const pqf_bucket h_frac[] = {{INFINITY, 4.4}, {0.25, 0.3}, {0.5, 1.7}, {1.0, 2.9}, {2.5, 4.1}};
static const pqf_bucket h_lowzero[] = {{INFINITY, 6.0}, {0.0, 3.0}, {1.0, 5.0}};
static const pqf_bucket h_negcount[] = {{INFINITY, 4.0}, {1.0, -2.0}, {2.0, -1.0}};
static const hcase hist_cases[] = {
    {"histogram_quantile(NaN, h_basic)", NAN, h_basic, ST_ARRAY_LEN(h_basic), NAN},
    {"histogram_quantile(-0.5, h_basic)", -0.5, h_basic, ST_ARRAY_LEN(h_basic), -INFINITY},
    {"histogram_quantile(0.0, h_basic)", 0.0, h_basic, ST_ARRAY_LEN(h_basic), NAN},
    {"histogram_quantile(0.01, h_basic)", 0.01, h_basic, ST_ARRAY_LEN(h_basic), 0.11333333333333334},
    {"histogram_quantile(0.1, h_basic)", 0.1, h_basic, ST_ARRAY_LEN(h_basic), 0.23333333333333334},
    {"histogram_quantile(0.25, h_basic)", 0.25, h_basic, ST_ARRAY_LEN(h_basic), 0.43333333333333335},
    {"histogram_quantile(0.5, h_basic)", 0.5, h_basic, ST_ARRAY_LEN(h_basic), 0.75},
    {"histogram_quantile(0.75, h_basic)", 0.75, h_basic, ST_ARRAY_LEN(h_basic), 2.0},
    {"histogram_quantile(0.9, h_basic)", 0.9, h_basic, ST_ARRAY_LEN(h_basic), 5.0},
    {"histogram_quantile(0.99, h_basic)", 0.99, h_basic, ST_ARRAY_LEN(h_basic), 5.0},
    {"histogram_quantile(1.0, h_basic)", 1.0, h_basic, ST_ARRAY_LEN(h_basic), 5.0},
    {"histogram_quantile(1.5, h_basic)", 1.5, h_basic, ST_ARRAY_LEN(h_basic), INFINITY},
    {"histogram_quantile(NaN, h_noinf)", NAN, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(-0.5, h_noinf)", -0.5, h_noinf, ST_ARRAY_LEN(h_noinf), -INFINITY},
    {"histogram_quantile(0.0, h_noinf)", 0.0, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.01, h_noinf)", 0.01, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.1, h_noinf)", 0.1, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.25, h_noinf)", 0.25, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.5, h_noinf)", 0.5, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.75, h_noinf)", 0.75, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.9, h_noinf)", 0.9, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(0.99, h_noinf)", 0.99, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(1.0, h_noinf)", 1.0, h_noinf, ST_ARRAY_LEN(h_noinf), NAN},
    {"histogram_quantile(1.5, h_noinf)", 1.5, h_noinf, ST_ARRAY_LEN(h_noinf), INFINITY},
    {"histogram_quantile(NaN, h_onlyinf)", NAN, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(-0.5, h_onlyinf)", -0.5, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), -INFINITY},
    {"histogram_quantile(0.0, h_onlyinf)", 0.0, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.01, h_onlyinf)", 0.01, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.1, h_onlyinf)", 0.1, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.25, h_onlyinf)", 0.25, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.5, h_onlyinf)", 0.5, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.75, h_onlyinf)", 0.75, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.9, h_onlyinf)", 0.9, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(0.99, h_onlyinf)", 0.99, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(1.0, h_onlyinf)", 1.0, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), NAN},
    {"histogram_quantile(1.5, h_onlyinf)", 1.5, h_onlyinf, ST_ARRAY_LEN(h_onlyinf), INFINITY},
    {"histogram_quantile(NaN, h_zero)", NAN, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(-0.5, h_zero)", -0.5, h_zero, ST_ARRAY_LEN(h_zero), -INFINITY},
    {"histogram_quantile(0.0, h_zero)", 0.0, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.01, h_zero)", 0.01, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.1, h_zero)", 0.1, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.25, h_zero)", 0.25, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.5, h_zero)", 0.5, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.75, h_zero)", 0.75, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.9, h_zero)", 0.9, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(0.99, h_zero)", 0.99, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(1.0, h_zero)", 1.0, h_zero, ST_ARRAY_LEN(h_zero), NAN},
    {"histogram_quantile(1.5, h_zero)", 1.5, h_zero, ST_ARRAY_LEN(h_zero), INFINITY},
    {"histogram_quantile(NaN, h_nonmono)", NAN, h_nonmono, ST_ARRAY_LEN(h_nonmono), NAN},
    {"histogram_quantile(-0.5, h_nonmono)", -0.5, h_nonmono, ST_ARRAY_LEN(h_nonmono), -INFINITY},
    {"histogram_quantile(0.0, h_nonmono)", 0.0, h_nonmono, ST_ARRAY_LEN(h_nonmono), 0.0},
    {"histogram_quantile(0.01, h_nonmono)", 0.01, h_nonmono, ST_ARRAY_LEN(h_nonmono), 0.016},
    {"histogram_quantile(0.1, h_nonmono)", 0.1, h_nonmono, ST_ARRAY_LEN(h_nonmono), 0.16},
    {"histogram_quantile(0.25, h_nonmono)", 0.25, h_nonmono, ST_ARRAY_LEN(h_nonmono), 0.4},
    {"histogram_quantile(0.5, h_nonmono)", 0.5, h_nonmono, ST_ARRAY_LEN(h_nonmono), 0.8},
    {"histogram_quantile(0.75, h_nonmono)", 0.75, h_nonmono, ST_ARRAY_LEN(h_nonmono), 3.0},
    {"histogram_quantile(0.9, h_nonmono)", 0.9, h_nonmono, ST_ARRAY_LEN(h_nonmono), 4.2},
    {"histogram_quantile(0.99, h_nonmono)", 0.99, h_nonmono, ST_ARRAY_LEN(h_nonmono), 4.92},
    {"histogram_quantile(1.0, h_nonmono)", 1.0, h_nonmono, ST_ARRAY_LEN(h_nonmono), 5.0},
    {"histogram_quantile(1.5, h_nonmono)", 1.5, h_nonmono, ST_ARRAY_LEN(h_nonmono), INFINITY},
    {"histogram_quantile(NaN, h_neg)", NAN, h_neg, ST_ARRAY_LEN(h_neg), NAN},
    {"histogram_quantile(-0.5, h_neg)", -0.5, h_neg, ST_ARRAY_LEN(h_neg), -INFINITY},
    {"histogram_quantile(0.0, h_neg)", 0.0, h_neg, ST_ARRAY_LEN(h_neg), -1.0},
    {"histogram_quantile(0.01, h_neg)", 0.01, h_neg, ST_ARRAY_LEN(h_neg), -1.0},
    {"histogram_quantile(0.1, h_neg)", 0.1, h_neg, ST_ARRAY_LEN(h_neg), -1.0},
    {"histogram_quantile(0.25, h_neg)", 0.25, h_neg, ST_ARRAY_LEN(h_neg), -1.0},
    {"histogram_quantile(0.5, h_neg)", 0.5, h_neg, ST_ARRAY_LEN(h_neg), -0.5},
    {"histogram_quantile(0.75, h_neg)", 0.75, h_neg, ST_ARRAY_LEN(h_neg), 0.25},
    {"histogram_quantile(0.9, h_neg)", 0.9, h_neg, ST_ARRAY_LEN(h_neg), 0.7000000000000002},
    {"histogram_quantile(0.99, h_neg)", 0.99, h_neg, ST_ARRAY_LEN(h_neg), 0.9699999999999998},
    {"histogram_quantile(1.0, h_neg)", 1.0, h_neg, ST_ARRAY_LEN(h_neg), 1.0},
    {"histogram_quantile(1.5, h_neg)", 1.5, h_neg, ST_ARRAY_LEN(h_neg), INFINITY},
    {"histogram_quantile(NaN, h_negonly)", NAN, h_negonly, ST_ARRAY_LEN(h_negonly), NAN},
    {"histogram_quantile(-0.5, h_negonly)", -0.5, h_negonly, ST_ARRAY_LEN(h_negonly), -INFINITY},
    {"histogram_quantile(0.0, h_negonly)", 0.0, h_negonly, ST_ARRAY_LEN(h_negonly), -5.0},
    {"histogram_quantile(0.01, h_negonly)", 0.01, h_negonly, ST_ARRAY_LEN(h_negonly), -5.0},
    {"histogram_quantile(0.1, h_negonly)", 0.1, h_negonly, ST_ARRAY_LEN(h_negonly), -5.0},
    {"histogram_quantile(0.25, h_negonly)", 0.25, h_negonly, ST_ARRAY_LEN(h_negonly), -5.0},
    {"histogram_quantile(0.5, h_negonly)", 0.5, h_negonly, ST_ARRAY_LEN(h_negonly), -3.0},
    {"histogram_quantile(0.75, h_negonly)", 0.75, h_negonly, ST_ARRAY_LEN(h_negonly), -1.0},
    {"histogram_quantile(0.9, h_negonly)", 0.9, h_negonly, ST_ARRAY_LEN(h_negonly), -1.0},
    {"histogram_quantile(0.99, h_negonly)", 0.99, h_negonly, ST_ARRAY_LEN(h_negonly), -1.0},
    {"histogram_quantile(1.0, h_negonly)", 1.0, h_negonly, ST_ARRAY_LEN(h_negonly), -1.0},
    {"histogram_quantile(1.5, h_negonly)", 1.5, h_negonly, ST_ARRAY_LEN(h_negonly), INFINITY},
    {"histogram_quantile(NaN, h_dup)", NAN, h_dup, ST_ARRAY_LEN(h_dup), NAN},
    {"histogram_quantile(-0.5, h_dup)", -0.5, h_dup, ST_ARRAY_LEN(h_dup), -INFINITY},
    {"histogram_quantile(0.0, h_dup)", 0.0, h_dup, ST_ARRAY_LEN(h_dup), 0.0},
    {"histogram_quantile(0.01, h_dup)", 0.01, h_dup, ST_ARRAY_LEN(h_dup), 0.016},
    {"histogram_quantile(0.1, h_dup)", 0.1, h_dup, ST_ARRAY_LEN(h_dup), 0.16},
    {"histogram_quantile(0.25, h_dup)", 0.25, h_dup, ST_ARRAY_LEN(h_dup), 0.4},
    {"histogram_quantile(0.5, h_dup)", 0.5, h_dup, ST_ARRAY_LEN(h_dup), 0.8},
    {"histogram_quantile(0.75, h_dup)", 0.75, h_dup, ST_ARRAY_LEN(h_dup), 2.0},
    {"histogram_quantile(0.9, h_dup)", 0.9, h_dup, ST_ARRAY_LEN(h_dup), 2.0},
    {"histogram_quantile(0.99, h_dup)", 0.99, h_dup, ST_ARRAY_LEN(h_dup), 2.0},
    {"histogram_quantile(1.0, h_dup)", 1.0, h_dup, ST_ARRAY_LEN(h_dup), 2.0},
    {"histogram_quantile(1.5, h_dup)", 1.5, h_dup, ST_ARRAY_LEN(h_dup), INFINITY},
    {"histogram_quantile(NaN, h_dupinf)", NAN, h_dupinf, ST_ARRAY_LEN(h_dupinf), NAN},
    {"histogram_quantile(-0.5, h_dupinf)", -0.5, h_dupinf, ST_ARRAY_LEN(h_dupinf), -INFINITY},
    {"histogram_quantile(0.0, h_dupinf)", 0.0, h_dupinf, ST_ARRAY_LEN(h_dupinf), 0.0},
    {"histogram_quantile(0.01, h_dupinf)", 0.01, h_dupinf, ST_ARRAY_LEN(h_dupinf), 0.035},
    {"histogram_quantile(0.1, h_dupinf)", 0.1, h_dupinf, ST_ARRAY_LEN(h_dupinf), 0.35000000000000003},
    {"histogram_quantile(0.25, h_dupinf)", 0.25, h_dupinf, ST_ARRAY_LEN(h_dupinf), 0.875},
    {"histogram_quantile(0.5, h_dupinf)", 0.5, h_dupinf, ST_ARRAY_LEN(h_dupinf), 1.0},
    {"histogram_quantile(0.75, h_dupinf)", 0.75, h_dupinf, ST_ARRAY_LEN(h_dupinf), 1.0},
    {"histogram_quantile(0.9, h_dupinf)", 0.9, h_dupinf, ST_ARRAY_LEN(h_dupinf), 1.0},
    {"histogram_quantile(0.99, h_dupinf)", 0.99, h_dupinf, ST_ARRAY_LEN(h_dupinf), 1.0},
    {"histogram_quantile(1.0, h_dupinf)", 1.0, h_dupinf, ST_ARRAY_LEN(h_dupinf), 1.0},
    {"histogram_quantile(1.5, h_dupinf)", 1.5, h_dupinf, ST_ARRAY_LEN(h_dupinf), INFINITY},
    {"histogram_quantile(NaN, h_inftail)", NAN, h_inftail, ST_ARRAY_LEN(h_inftail), NAN},
    {"histogram_quantile(-0.5, h_inftail)", -0.5, h_inftail, ST_ARRAY_LEN(h_inftail), -INFINITY},
    {"histogram_quantile(0.0, h_inftail)", 0.0, h_inftail, ST_ARRAY_LEN(h_inftail), 0.0},
    {"histogram_quantile(0.01, h_inftail)", 0.01, h_inftail, ST_ARRAY_LEN(h_inftail), 1.0},
    {"histogram_quantile(0.1, h_inftail)", 0.1, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(0.25, h_inftail)", 0.25, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(0.5, h_inftail)", 0.5, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(0.75, h_inftail)", 0.75, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(0.9, h_inftail)", 0.9, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(0.99, h_inftail)", 0.99, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(1.0, h_inftail)", 1.0, h_inftail, ST_ARRAY_LEN(h_inftail), 2.0},
    {"histogram_quantile(1.5, h_inftail)", 1.5, h_inftail, ST_ARRAY_LEN(h_inftail), INFINITY},
    {"histogram_quantile(NaN, h_nan)", NAN, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(-0.5, h_nan)", -0.5, h_nan, ST_ARRAY_LEN(h_nan), -INFINITY},
    {"histogram_quantile(0.0, h_nan)", 0.0, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(0.01, h_nan)", 0.01, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(0.1, h_nan)", 0.1, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(0.25, h_nan)", 0.25, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(0.5, h_nan)", 0.5, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(0.75, h_nan)", 0.75, h_nan, ST_ARRAY_LEN(h_nan), NAN},
    {"histogram_quantile(0.9, h_nan)", 0.9, h_nan, ST_ARRAY_LEN(h_nan), 5.0},
    {"histogram_quantile(0.99, h_nan)", 0.99, h_nan, ST_ARRAY_LEN(h_nan), 5.0},
    {"histogram_quantile(1.0, h_nan)", 1.0, h_nan, ST_ARRAY_LEN(h_nan), 5.0},
    {"histogram_quantile(1.5, h_nan)", 1.5, h_nan, ST_ARRAY_LEN(h_nan), INFINITY},
    {"histogram_quantile(NaN, h_nanfirst)", NAN, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), NAN},
    {"histogram_quantile(-0.5, h_nanfirst)", -0.5, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), -INFINITY},
    {"histogram_quantile(0.0, h_nanfirst)", 0.0, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), NAN},
    {"histogram_quantile(0.01, h_nanfirst)", 0.01, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), NAN},
    {"histogram_quantile(0.1, h_nanfirst)", 0.1, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), NAN},
    {"histogram_quantile(0.25, h_nanfirst)", 0.25, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), NAN},
    {"histogram_quantile(0.5, h_nanfirst)", 0.5, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), NAN},
    {"histogram_quantile(0.75, h_nanfirst)", 0.75, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), 2.0},
    {"histogram_quantile(0.9, h_nanfirst)", 0.9, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), 2.0},
    {"histogram_quantile(0.99, h_nanfirst)", 0.99, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), 2.0},
    {"histogram_quantile(1.0, h_nanfirst)", 1.0, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), 2.0},
    {"histogram_quantile(1.5, h_nanfirst)", 1.5, h_nanfirst, ST_ARRAY_LEN(h_nanfirst), INFINITY},
    {"histogram_quantile(NaN, h_many)", NAN, h_many, ST_ARRAY_LEN(h_many), NAN},
    {"histogram_quantile(-0.5, h_many)", -0.5, h_many, ST_ARRAY_LEN(h_many), -INFINITY},
    {"histogram_quantile(0.0, h_many)", 0.0, h_many, ST_ARRAY_LEN(h_many), NAN},
    {"histogram_quantile(0.01, h_many)", 0.01, h_many, ST_ARRAY_LEN(h_many), 0.013333333333333332},
    {"histogram_quantile(0.1, h_many)", 0.1, h_many, ST_ARRAY_LEN(h_many), 0.11555555555555555},
    {"histogram_quantile(0.25, h_many)", 0.25, h_many, ST_ARRAY_LEN(h_many), 0.6826666666666666},
    {"histogram_quantile(0.5, h_many)", 0.5, h_many, ST_ARRAY_LEN(h_many), 5.12},
    {"histogram_quantile(0.75, h_many)", 0.75, h_many, ST_ARRAY_LEN(h_many), 25.3952},
    {"histogram_quantile(0.9, h_many)", 0.9, h_many, ST_ARRAY_LEN(h_many), 40.96},
    {"histogram_quantile(0.99, h_many)", 0.99, h_many, ST_ARRAY_LEN(h_many), 40.96},
    {"histogram_quantile(1.0, h_many)", 1.0, h_many, ST_ARRAY_LEN(h_many), 40.96},
    {"histogram_quantile(1.5, h_many)", 1.5, h_many, ST_ARRAY_LEN(h_many), INFINITY},
    {"histogram_quantile(NaN, h_frac)", NAN, h_frac, ST_ARRAY_LEN(h_frac), NAN},
    {"histogram_quantile(-0.5, h_frac)", -0.5, h_frac, ST_ARRAY_LEN(h_frac), -INFINITY},
    {"histogram_quantile(0.0, h_frac)", 0.0, h_frac, ST_ARRAY_LEN(h_frac), 0.0},
    {"histogram_quantile(0.01, h_frac)", 0.01, h_frac, ST_ARRAY_LEN(h_frac), 0.036666666666666674},
    {"histogram_quantile(0.1, h_frac)", 0.1, h_frac, ST_ARRAY_LEN(h_frac), 0.275},
    {"histogram_quantile(0.25, h_frac)", 0.25, h_frac, ST_ARRAY_LEN(h_frac), 0.3928571428571429},
    {"histogram_quantile(0.5, h_frac)", 0.5, h_frac, ST_ARRAY_LEN(h_frac), 0.7083333333333335},
    {"histogram_quantile(0.75, h_frac)", 0.75, h_frac, ST_ARRAY_LEN(h_frac), 1.5000000000000004},
    {"histogram_quantile(0.9, h_frac)", 0.9, h_frac, ST_ARRAY_LEN(h_frac), 2.325000000000001},
    {"histogram_quantile(0.99, h_frac)", 0.99, h_frac, ST_ARRAY_LEN(h_frac), 2.5},
    {"histogram_quantile(1.0, h_frac)", 1.0, h_frac, ST_ARRAY_LEN(h_frac), 2.5},
    {"histogram_quantile(1.5, h_frac)", 1.5, h_frac, ST_ARRAY_LEN(h_frac), INFINITY},
    {"histogram_quantile(NaN, h_lowzero)", NAN, h_lowzero, ST_ARRAY_LEN(h_lowzero), NAN},
    {"histogram_quantile(-0.5, h_lowzero)", -0.5, h_lowzero, ST_ARRAY_LEN(h_lowzero), -INFINITY},
    {"histogram_quantile(0.0, h_lowzero)", 0.0, h_lowzero, ST_ARRAY_LEN(h_lowzero), 0.0},
    {"histogram_quantile(0.01, h_lowzero)", 0.01, h_lowzero, ST_ARRAY_LEN(h_lowzero), 0.0},
    {"histogram_quantile(0.1, h_lowzero)", 0.1, h_lowzero, ST_ARRAY_LEN(h_lowzero), 0.0},
    {"histogram_quantile(0.25, h_lowzero)", 0.25, h_lowzero, ST_ARRAY_LEN(h_lowzero), 0.0},
    {"histogram_quantile(0.5, h_lowzero)", 0.5, h_lowzero, ST_ARRAY_LEN(h_lowzero), 0.0},
    {"histogram_quantile(0.75, h_lowzero)", 0.75, h_lowzero, ST_ARRAY_LEN(h_lowzero), 0.75},
    {"histogram_quantile(0.9, h_lowzero)", 0.9, h_lowzero, ST_ARRAY_LEN(h_lowzero), 1.0},
    {"histogram_quantile(0.99, h_lowzero)", 0.99, h_lowzero, ST_ARRAY_LEN(h_lowzero), 1.0},
    {"histogram_quantile(1.0, h_lowzero)", 1.0, h_lowzero, ST_ARRAY_LEN(h_lowzero), 1.0},
    {"histogram_quantile(1.5, h_lowzero)", 1.5, h_lowzero, ST_ARRAY_LEN(h_lowzero), INFINITY},
    {"histogram_quantile(NaN, h_negcount)", NAN, h_negcount, ST_ARRAY_LEN(h_negcount), NAN},
    {"histogram_quantile(-0.5, h_negcount)", -0.5, h_negcount, ST_ARRAY_LEN(h_negcount), -INFINITY},
    {"histogram_quantile(0.0, h_negcount)", 0.0, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.01, h_negcount)", 0.01, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.1, h_negcount)", 0.1, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.25, h_negcount)", 0.25, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.5, h_negcount)", 0.5, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.75, h_negcount)", 0.75, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.9, h_negcount)", 0.9, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(0.99, h_negcount)", 0.99, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(1.0, h_negcount)", 1.0, h_negcount, ST_ARRAY_LEN(h_negcount), 2.0},
    {"histogram_quantile(1.5, h_negcount)", 1.5, h_negcount, ST_ARRAY_LEN(h_negcount), INFINITY},
};

/* ------------------------------------------------------------- harness */

/* Table rows count as tests: begin/end mirror testlib's RUN. */
static void case_begin(const char *name)
{
    tl_cur = name;
    tl_cur_failed = 0;
}

static void case_end(void)
{
    if (tl_cur_failed) {
        tl_failed++;
        fprintf(stderr, "not ok %s\n", tl_cur);
    } else {
        tl_passed++;
    }
}

/* Exact: same value and same sign of zero, or both NaN. */
static bool same_exact(double got, double want)
{
    if (isnan(want))
        return isnan(got);
    return got == want && signbit(got) == signbit(want);
}

static bool same_close(double got, double want)
{
    if (isnan(want) || isinf(want) || want == 0)
        return same_exact(got, want);
    return fabs(got - want) <= 1e-12 * fabs(want);
}

#define CHECK_NUM(ok, got, want)                                                     \
    CHECK_MSG(ok, "got %.17g (%a), want %.17g (%a)", (got), (got), (want), (want))

static void run_range_cases(void)
{
    for (size_t i = 0; i < ST_ARRAY_LEN(range_cases); i++) {
        const rcase *c = &range_cases[i];
        const tseries *s = &series[c->series];
        case_begin(c->query);
        size_t lo = 0, hi;
        while (lo < s->n && s->ts[lo] < c->range_start)
            lo++;
        hi = lo;
        while (hi < s->n && s->ts[hi] <= c->range_end)
            hi++;
        pqf_window w = {s->ts + lo, s->v + lo, hi - lo, c->range_start, c->range_end, c->eval_ts};
        double got = -12345;
        st_err err = {0};
        int rc = pqf_range(c->fn, &w, c->params, &got, &err);
        switch (c->kind) {
        case X_NONE: CHECK_MSG(rc == 0, "rc %d, value %.17g; want no sample", rc, got); break;
        case X_VAL:
            CHECK_MSG(rc == 1, "rc %d; want a sample", rc);
            CHECK_NUM(same_exact(got, c->want), got, c->want);
            break;
        case X_ERR:
            CHECK_EQ_INT(rc, ST_EINVAL);
            CHECK_EQ_INT(err.code, ST_EINVAL);
            CHECK_MSG(strcmp(err.msg, c->err) == 0, "message \"%s\"", err.msg);
            break;
        }
        case_end();
    }
}

static bool value_fn_exact(pqf_value_fn f)
{
    switch (f) {
    case PQF_EXP: case PQF_LN: case PQF_LOG2: case PQF_LOG10:
    case PQF_ACOS: case PQF_ACOSH: case PQF_ASIN: case PQF_ASINH: case PQF_ATAN: case PQF_ATANH:
    case PQF_COS: case PQF_COSH: case PQF_SIN: case PQF_SINH: case PQF_TAN: case PQF_TANH:
        return false;
    default:
        return true;
    }
}

static void run_value_cases(void)
{
    for (size_t i = 0; i < ST_ARRAY_LEN(value_cases); i++) {
        const vcase *c = &value_cases[i];
        case_begin(c->query);
        double got = -12345;
        int rc = pqf_value(c->fn, c->v, c->params, c->nparams, &got);
        if (c->kind == X_NONE) {
            CHECK_MSG(rc == 0, "rc %d, value %.17g; want no sample", rc, got);
        } else {
            CHECK_MSG(rc == 1, "rc %d; want a sample", rc);
            bool ok = value_fn_exact(c->fn) ? same_exact(got, c->want) : same_close(got, c->want);
            CHECK_NUM(ok, got, c->want);
        }
        case_end();
    }
}

/* avg, stdvar and stddev of each group, fed in series order. The avg
 * helper is used both ways the header allows: seeded with {v, 0, 1} by the
 * caller, and from a zeroed struct. */
static void run_agg_cases(void)
{
    char name[128];
    for (size_t i = 0; i < ST_ARRAY_LEN(agg_cases); i++) {
        const acase *c = &agg_cases[i];
        pqf_agg avg = {c->v[0], 0, 1}, avg0 = {0, 0, 0}, var = {0, 0, 0};
        pqf_agg_avg_add(&avg0, c->v[0]);
        pqf_agg_stdvar_add(&var, c->v[0]);
        for (size_t j = 1; j < c->n; j++) {
            pqf_agg_avg_add(&avg, c->v[j]);
            pqf_agg_avg_add(&avg0, c->v[j]);
            pqf_agg_stdvar_add(&var, c->v[j]);
        }
        snprintf(name, sizeof name, "avg(%s)", c->group);
        case_begin(name);
        CHECK_NUM(same_exact(avg.value, c->avg), avg.value, c->avg);
        CHECK_NUM(same_exact(avg0.value, c->avg), avg0.value, c->avg);
        case_end();
        snprintf(name, sizeof name, "stdvar(%s)", c->group);
        case_begin(name);
        double got = pqf_agg_stdvar(&var);
        CHECK_NUM(same_exact(got, c->stdvar), got, c->stdvar);
        case_end();
        snprintf(name, sizeof name, "stddev(%s)", c->group);
        case_begin(name);
        got = pqf_agg_stddev(&var);
        CHECK_NUM(same_exact(got, c->stddev), got, c->stddev);
        case_end();
    }
}

static void run_quantile_cases(void)
{
    double tmp[64];
    for (size_t i = 0; i < ST_ARRAY_LEN(quantile_cases); i++) {
        const qcase *c = &quantile_cases[i];
        case_begin(c->query);
        memcpy(tmp, c->v, c->n * sizeof *tmp);
        double got = pqf_quantile(c->q, tmp, c->n);
        CHECK_NUM(same_exact(got, c->want), got, c->want);
        case_end();
    }
}

static void run_hist_cases(void)
{
    pqf_bucket tmp[64];
    for (size_t i = 0; i < ST_ARRAY_LEN(hist_cases); i++) {
        const hcase *c = &hist_cases[i];
        case_begin(c->query);
        memcpy(tmp, c->b, c->n * sizeof *tmp);
        double got = pqf_bucket_quantile(c->q, tmp, c->n);
        CHECK_NUM(same_exact(got, c->want), got, c->want);
        case_end();
    }
}

/* ------------------------------------------------------------- hand-written */

static void test_names(void)
{
    for (int f = 0; f < PQF_RANGE_COUNT; f++) {
        const char *n = pqf_range_name((pqf_range_fn)f);
        CHECK(n != NULL);
        if (n)
            CHECK_EQ_INT(pqf_range_lookup(n, strlen(n)), f);
    }
    for (int f = 0; f < PQF_VALUE_COUNT; f++) {
        const char *n = pqf_value_name((pqf_value_fn)f);
        CHECK(n != NULL);
        if (n)
            CHECK_EQ_INT(pqf_value_lookup(n, strlen(n)), f);
    }
    CHECK(strcmp(pqf_range_name(PQF_QUANTILE_OVER_TIME), "quantile_over_time") == 0);
    CHECK(strcmp(pqf_value_name(PQF_DAYS_IN_MONTH), "days_in_month") == 0);
    CHECK_EQ_INT(pqf_range_lookup("rate_", 4), PQF_RATE);
    CHECK_EQ_INT(pqf_range_lookup("rate", 3), -1);
    CHECK_EQ_INT(pqf_range_lookup("abs", 3), -1);
    CHECK_EQ_INT(pqf_value_lookup("rate", 4), -1);
    CHECK_EQ_INT(pqf_value_lookup("", 0), -1);
    CHECK(pqf_range_name(PQF_RANGE_COUNT) == NULL);
    CHECK(pqf_value_name(PQF_VALUE_COUNT) == NULL);
}

/* Prometheus does not call a function on an empty window: no sample and
 * no error, even for holt_winters with invalid factors. */
static void test_empty_window(void)
{
    pqf_window w = {NULL, NULL, 0, 0, 300000, 300000};
    double params[2] = {2, 2}, out = 7;
    for (int f = 0; f < PQF_RANGE_COUNT; f++) {
        st_err e = {0};
        CHECK_EQ_INT(pqf_range((pqf_range_fn)f, &w, params, &out, &e), 0);
        CHECK_EQ_INT(e.code, 0);
    }
    CHECK(out == 7);
}

/* holt_winters: NaN factors pass 2.42's check (every comparison is false)
 * and the result is NaN; the error needs no st_err. */
static void test_holt_winters_checks(void)
{
    int64_t ts[] = {0, 15000, 30000};
    double v[] = {1, 2, 4};
    pqf_window w = {ts, v, 3, -1, 30000, 30000};
    double nan_sf[2] = {NAN, 0.5}, bad[2] = {0.5, 1}, out = 0;
    CHECK_EQ_INT(pqf_range(PQF_HOLT_WINTERS, &w, nan_sf, &out, NULL), 1);
    CHECK(isnan(out));
    CHECK_EQ_INT(pqf_range(PQF_HOLT_WINTERS, &w, bad, &out, NULL), ST_EINVAL);
    st_err e = {0};
    double neg0[2] = {-0.0, 0.5};
    CHECK_EQ_INT(pqf_range(PQF_HOLT_WINTERS, &w, neg0, &out, &e), ST_EINVAL);
    CHECK(strcmp(e.msg, "invalid smoothing factor. Expected: 0 < sf < 1, got: -0.000000") == 0);
}

/* irate over two samples at the same time gives nothing (the window's
 * times are meant to be strictly increasing; the kernel still guards). */
static void test_irate_zero_interval(void)
{
    int64_t ts[] = {1000, 1000};
    double v[] = {1, 3};
    pqf_window w = {ts, v, 2, 0, 1000, 1000};
    double out = 0;
    CHECK_EQ_INT(pqf_range(PQF_IRATE, &w, NULL, &out, NULL), 0);
    CHECK_EQ_INT(pqf_range(PQF_IDELTA, &w, NULL, &out, NULL), 0);
}

/* quantile sorts in place with NaN first; q outside [0, 1] and n = 0. */
static void test_quantile_sorts(void)
{
    double v[] = {3, NAN, 1, 2, NAN};
    CHECK(same_exact(pqf_quantile(0.5, v, 5), 1));
    CHECK(isnan(v[0]) && isnan(v[1]) && v[2] == 1 && v[3] == 2 && v[4] == 3);
    CHECK(same_exact(pqf_quantile(-1, v, 5), -INFINITY));
    CHECK(same_exact(pqf_quantile(1.01, v, 5), INFINITY));
    CHECK(isnan(pqf_quantile(0.5, v, 0)));
    /* Inf * 0 in the interpolation: 2.42 gives NaN at q = 0 */
    double w[] = {INFINITY, 1};
    CHECK(isnan(pqf_quantile(0, w, 2)));
    /* more than 256 values: quantile_over_time sorts a heap copy */
    static int64_t ts[1000];
    static double vals[1000];
    for (int i = 0; i < 1000; i++) {
        ts[i] = i * 1000;
        vals[i] = (double)((i * 7919) % 1000);
    }
    pqf_window win = {ts, vals, 1000, 0, 999000, 999000};
    double q = 0.25, out = 0;
    CHECK_EQ_INT(pqf_range(PQF_QUANTILE_OVER_TIME, &win, &q, &out, NULL), 1);
    CHECK(same_exact(out, 249.75));
    CHECK(vals[1] == 919); /* the window is not touched */
}

/* pqf_bucket_quantile with no buckets (the evaluator never asks). */
static void test_bucket_quantile_empty(void)
{
    CHECK(isnan(pqf_bucket_quantile(0.5, NULL, 0)));
    CHECK(same_exact(pqf_bucket_quantile(-0.5, NULL, 0), -INFINITY));
    CHECK(same_exact(pqf_bucket_quantile(2, NULL, 0), INFINITY));
}

/* round without to_nearest uses 1; clamp drops everything when max < min
 * but not when either bound is NaN. */
static void test_value_params(void)
{
    double out = 0, p[2] = {5, 1};
    CHECK_EQ_INT(pqf_value(PQF_ROUND, 2.5, NULL, 0, &out), 1);
    CHECK(out == 3);
    CHECK_EQ_INT(pqf_value(PQF_ROUND, -2.5, NULL, 0, &out), 1);
    CHECK(same_exact(out, -2));
    CHECK_EQ_INT(pqf_value(PQF_CLAMP, 3, p, 2, &out), 0);
    p[0] = NAN;
    CHECK_EQ_INT(pqf_value(PQF_CLAMP, 3, p, 2, &out), 1);
    CHECK(isnan(out));
    CHECK_EQ_INT(pqf_value(PQF_VALUE_COUNT, 3, p, 2, &out), 0);
}

/* The stdvar helper from a zeroed struct seeds the group as 2.42 does:
 * a lone Inf or NaN has variance 0, not NaN. */
static void test_stdvar_seed(void)
{
    pqf_agg a = {0, 0, 0};
    pqf_agg_stdvar_add(&a, INFINITY);
    CHECK(same_exact(pqf_agg_stdvar(&a), 0));
    CHECK(a.count == 1 && a.mean == INFINITY);
    pqf_agg_stdvar_add(&a, 1);
    CHECK(isnan(pqf_agg_stdvar(&a)));
}

int main(void)
{
    RUN(test_names);
    RUN(test_empty_window);
    RUN(test_holt_winters_checks);
    RUN(test_irate_zero_interval);
    RUN(test_quantile_sorts);
    RUN(test_bucket_quantile_empty);
    RUN(test_value_params);
    RUN(test_stdvar_seed);

    int before = tl_passed + tl_failed;
    run_range_cases();
    run_value_cases();
    run_agg_cases();
    run_quantile_cases();
    run_hist_cases();
    printf("table cases: %d\n", tl_passed + tl_failed - before);
    return testlib_done("test_funcs");
}
