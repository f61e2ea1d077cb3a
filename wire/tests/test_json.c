/* test_json: Go-compatible number formatting, string escaping, the reader.
 *
 * The vectors below hold the bits of doubles and Go's
 * strconv.FormatFloat(v, 'e', -1, 64) for them. They were generated once
 * from Python's repr (the shortest round-trip digits, nearest to the exact
 * value among the shortest: the same choice as Go) laid out by Go's fmtE
 * rules; they include every power of two whose shortest form has 16 digits
 * but is not the nearest 16-digit decimal (the lopsided-interval case),
 * subnormals, random bit patterns and random short decimals.
 */
#include "json.h"
#include "engine/tests/testlib.h"

#include <float.h>
#include <math.h>
#include <time.h>

static const struct {
    uint64_t bits;
    const char *e;
} vec_e[] = {
    {0x0000000000000000ull, "0e+00"}, {0x8000000000000000ull, "-0e+00"}, {0x3ff0000000000000ull, "1e+00"},
    {0xbff0000000000000ull, "-1e+00"}, {0x3fb999999999999aull, "1e-01"}, {0x3fc999999999999aull, "2e-01"},
    {0x3fd3333333333333ull, "3e-01"}, {0x3fd5555555555555ull, "3.333333333333333e-01"}, {0x3fe5555555555555ull, "6.666666666666666e-01"},
    {0x444b1ae4d6e2ef50ull, "1e+21"}, {0x3e7ad7f29abcaf48ull, "1e-07"}, {0x3eb0c6f7a0b5ed8dull, "1e-06"},
    {0x4454542ba12a337cull, "1.5e+21"}, {0x444b1a333426c08bull, "9.999e+20"}, {0x4415af1d78b58c40ull, "1e+20"},
    {0x441ac53a7e04bcdaull, "1.2345678901234568e+20"}, {0x4480f0cf064dd592ull, "1e+22"}, {0x44b52d02c7e14af6ull, "1e+23"},
    {0x0000000000000001ull, "5e-324"}, {0x8000000000000001ull, "-5e-324"}, {0x0000000000000002ull, "1e-323"},
    {0x0010000000000000ull, "2.2250738585072014e-308"}, {0x000fffffffffffffull, "2.225073858507201e-308"}, {0x7fefffffffffffffull, "1.7976931348623157e+308"},
    {0x4363d85f7b51bf5cull, "4.468743327960138e+16"}, {0x4340000000000000ull, "9.007199254740992e+15"}, {0x4340000000000001ull, "9.007199254740994e+15"},
    {0x40fe240000000000ull, "1.23456e+05"}, {0x4132d68700000000ull, "1.234567e+06"}, {0x40f86a0000000000ull, "1e+05"},
    {0x412e848000000000ull, "1e+06"}, {0x3f1a36e2eb1c432dull, "1e-04"}, {0x3ee4f8b588e368f1ull, "1e-05"},
    {0x419d6f3454000000ull, "1.23456789e+08"}, {0x404d0ccccccccccdull, "5.81e+01"}, {0x3fa999999999999aull, "5e-02"},
    {0x4059200000000000ull, "1.005e+02"}, {0x400921f9f01b866eull, "3.14159e+00"}, {0x4005bf0a8b145769ull, "2.718281828459045e+00"},
    {0x430c6bf526340000ull, "1e+15"}, {0x4341c37937e08000ull, "1e+16"}, {0x4376345785d8a000ull, "1e+17"},
    {0x430c6bf52633ffffull, "9.999999999999999e+14"}, {0x3fd3333333333334ull, "3.0000000000000004e-01"}, {0x3ff199999999999aull, "1.1e+00"},
    {0x4004000000000000ull, "2.5e+00"}, {0x7fe1ccf385ebc8a0ull, "1e+308"}, {0x000730d67819e8d2ull, "1e-308"},
    {0x44dfe185ca57c517ull, "6.02214076e+23"}, {0x41b1de784a000000ull, "2.99792458e+08"}, {0xc071126666666666ull, "-2.7315e+02"},
    {0x40efffe000000000ull, "6.5535e+04"}, {0x41efffffffe00000ull, "4.294967295e+09"}, {0x43f0000000000000ull, "1.8446744073709552e+19"},
    {0x43e0000000000000ull, "9.223372036854776e+18"}, {0xc3e0000000000000ull, "-9.223372036854776e+18"}, {0x01a56e1fc2f8f359ull, "1e-300"},
    {0x7e37e43c8800759cull, "1e+300"}, {0x3eb4b3fd5942cd96ull, "1.234e-06"}, {0x41678c29dccccccdull, "1.23456789e+07"},
    {0x0000000020000000ull, "2.65249474e-315"}, {0x0070000000000000ull, "1.424047269444609e-306"}, {0x0240000000000000ull, "7.645295562778369e-298"},
    {0x0410000000000000ull, "4.1045368012983762e-289"}, {0x05e0000000000000ull, "2.203606415850622e-280"}, {0x07b0000000000000ull, "1.1830521861667747e-271"},
    {0x0980000000000000ull, "6.351463061309501e-263"}, {0x0b50000000000000ull, "3.409915766259544e-254"}, {0x0d20000000000000ull, "1.8306845872749401e-245"},
    {0x0ef0000000000000ull, "9.828413039546407e-237"}, {0x10c0000000000000ull, "5.276589072053972e-228"}, {0x1290000000000000ull, "2.8328471873628494e-219"},
    {0x1460000000000000ull, "1.520873253036128e-210"}, {0x1630000000000000ull, "8.165126103939127e-202"}, {0x1800000000000000ull, "4.383618698016806e-193"},
    {0x19d0000000000000ull, "2.3534373682645353e-184"}, {0x1ba0000000000000ull, "1.263492066235061e-175"}, {0x1d70000000000000ull, "6.783321379043816e-167"},
    {0x1f40000000000000ull, "3.641767935156351e-158"}, {0x2110000000000000ull, "1.955159272639747e-149"}, {0x22e0000000000000ull, "1.0496681418073576e-140"},
    {0x24b0000000000000ull, "5.635362925894614e-132"}, {0x2680000000000000ull, "3.02546243347603e-123"}, {0x2850000000000000ull, "1.6242827758820155e-114"},
    {0x2a20000000000000ull, "8.720301752336693e-106"}, {0x2bf0000000000000ull, "4.6816763546921983e-97"}, {0x2dc0000000000000ull, "2.513455854232436e-88"},
    {0x2f90000000000000ull, "1.349401336733507e-79"}, {0x3160000000000000ull, "7.24454326306137e-71"}, {0x3330000000000000ull, "3.8893845486632136e-62"},
    {0x3500000000000000ull, "2.088097429759528e-53"}, {0x36d0000000000000ull, "1.1210387714598537e-44"}, {0x38a0000000000000ull, "6.018531076210112e-36"},
    {0x3a70000000000000ull, "3.2311742677852644e-27"}, {0x3c40000000000000ull, "1.734723475976807e-18"}, {0x3e10000000000000ull, "9.313225746154785e-10"},
    {0x3fe0000000000000ull, "5e-01"}, {0x41b0000000000000ull, "2.68435456e+08"}, {0x4380000000000000ull, "1.4411518807585587e+17"},
    {0x4550000000000000ull, "7.737125245533627e+25"}, {0x4720000000000000ull, "4.153837486827862e+34"}, {0x48f0000000000000ull, "2.2300745198530623e+43"},
    {0x4ac0000000000000ull, "1.1972621413014757e+52"}, {0x4c90000000000000ull, "6.427752177035961e+60"}, {0x4e60000000000000ull, "3.450873173395282e+69"},
    {0x5030000000000000ull, "1.8526734277970591e+78"}, {0x5200000000000000ull, "9.946464728195733e+86"}, {0x53d0000000000000ull, "5.339967589802275e+95"},
    {0x55a0000000000000ull, "2.8668732699875894e+104"}, {0x5770000000000000ull, "1.5391408670466593e+113"}, {0x5940000000000000ull, "8.263199609878108e+121"},
    {0x5b10000000000000ull, "4.436271510593304e+130"}, {0x5ce0000000000000ull, "2.3817051317718447e+139"}, {0x5eb0000000000000ull, "1.2786682062094304e+148"},
    {0x6080000000000000ull, "6.86479766013061e+156"}, {0x6250000000000000ull, "3.6855101804897865e+165"}, {0x6420000000000000ull, "1.9786432117848363e+174"},
    {0x65f0000000000000ull, "1.0622759856335342e+183"}, {0x67c0000000000000ull, "5.703050772027744e+191"}, {0x6990000000000000ull, "3.061802069160839e+200"},
    {0x6b60000000000000ull, "1.6437924692338667e+209"}, {0x6d30000000000000ull, "8.82504362096318e+217"}, {0x6f00000000000000ull, "4.737909217226285e+226"},
    {0x70d0000000000000ull, "2.5436456424254815e+235"}, {0x72a0000000000000ull, "1.3656093558537942e+244"}, {0x7470000000000000ull, "7.33155940312959e+252"},
    {0x7640000000000000ull, "3.936100983140359e+261"}, {0x7810000000000000ull, "2.113178124542661e+270"}, {0x79e0000000000000ull, "1.134503866941668e+279"},
    {0x7bb0000000000000ull, "6.090821257125e+287"}, {0x7d80000000000000ull, "3.269984763141685e+296"}, {0x7f50000000000000ull, "1.7555597020139804e+305"},
    {0x0060000000000000ull, "7.120236347223045e-307"}, {0x0100000000000000ull, "7.291122019556398e-304"}, {0x0420000000000000ull, "8.209073602596753e-289"},
    {0x0660000000000000ull, "5.641232424577593e-278"}, {0x0d70000000000000ull, "5.858190679279809e-244"}, {0x0e80000000000000ull, "7.678447687145631e-239"},
    {0x0eb0000000000000ull, "6.142758149716505e-238"}, {0x0f50000000000000ull, "6.290184345309701e-235"}, {0x13e0000000000000ull, "5.940911144672375e-213"},
    {0x1480000000000000ull, "6.083493012144512e-210"}, {0x1690000000000000ull, "5.225680706521042e-200"}, {0x1730000000000000ull, "5.351097043477547e-197"},
    {0x1da0000000000000ull, "5.426657103235053e-166"}, {0x2020000000000000ull, "5.966672584960166e-154"}, {0x20f0000000000000ull, "4.887898181599368e-150"},
    {0x2160000000000000ull, "6.256509672447191e-148"}, {0x2800000000000000ull, "5.075883674631299e-116"}, {0x2910000000000000ull, "6.653062250012736e-111"},
    {0x2d70000000000000ull, "7.854549544476363e-90"}, {0x3730000000000000ull, "7.174648137343064e-43"}, {0x39e0000000000000ull, "6.310887241768095e-30"},
    {0x3b20000000000000ull, "6.617444900424222e-24"}, {0x3d30000000000000ull, "5.684341886080802e-14"}, {0x3e70000000000000ull, "5.960464477539063e-08"},
    {0x4580000000000000ull, "6.189700196426902e+26"}, {0x4790000000000000ull, "5.316911983139664e+36"}, {0x4830000000000000ull, "5.444517870735016e+39"},
    {0x4ab0000000000000ull, "5.986310706507379e+51"}, {0x4b50000000000000ull, "6.129982163463556e+54"}, {0x5120000000000000ull, "6.070840288205404e+82"},
    {0x5300000000000000ull, "6.518515124270356e+91"}, {0x5580000000000000ull, "7.167183174968974e+103"}, {0x5790000000000000ull, "6.156563468186638e+113"},
    {0x58d0000000000000ull, "6.455624695217272e+119"}, {0x5e00000000000000ull, "6.243497100631985e+144"}, {0x6150000000000000ull, "5.623642243178996e+160"},
    {0x61f0000000000000ull, "5.758609657015292e+163"}, {0x6290000000000000ull, "5.896816288783659e+166"}, {0x63d0000000000000ull, "6.183260036827614e+172"},
    {0x6510000000000000ull, "6.483618076376552e+178"}, {0x6c50000000000000ull, "5.386379163185535e+213"}, {0x7220000000000000ull, "5.334411546303884e+241"},
    {0x75e0000000000000ull, "6.150157786156811e+259"}, {0x77f0000000000000ull, "5.282945311356653e+269"}, {0x7cf0000000000000ull, "6.386688990511104e+293"},
    {0xbb91433a6aa79987ull, "-9.1387497028769e-22"}, {0xd1f6f86c029a7245ull, "-7.139820454309632e+86"}, {0xcd8778e7d340bbcdull, "-3.089900467300506e+65"},
    {0xdaea58ba4c73a942ull, "-9.131299887434701e+129"}, {0xee8971105e503a67ull, "-2.942877356480083e+224"}, {0x452ec40a3193ca54ull, "1.8596773229471727e+25"},
    {0x6facaa5090e5e945ull, "8.692067227002291e+229"}, {0x5f811cb929645f8bull, "1.1202983176732331e+152"}, {0xdfc9e3b11fcff454ull, "-2.71187804877673e+153"},
    {0x42d6cb5c6ed4e94bull, "1.0025073975798917e+14"}, {0xa091250e8fe46024ull, "-8.183770430730414e-152"}, {0x9c9cea0c2ca1c789ull, "-7.481942688750341e-171"},
    {0x2fd2b7a48d9fe5b9ull, "2.525722336173709e-78"}, {0xbcf74d7a5adad121ull, "-5.1742273216317384e-15"}, {0xbb9d58e4f543bbcfull, "-1.5536301412264183e-21"},
    {0x87f26aee175f0cd2ull, "-2.1789094907487126e-270"}, {0xbc428d42fa882692ull, "-2.011390540120253e-18"}, {0x95c5fb986980a81full, "-8.764271883973625e-204"},
    {0x2aa4857e8101e89aull, "2.863253393402251e-103"}, {0x34a9af4125ece845ull, "5.2374923668024025e-55"}, {0x13ed748bb80e3b0dull, "1.0936941514836716e-212"},
    {0xd64a3ce030a1f6d5ull, "-4.8141078806962144e+107"}, {0x527122dc57708107ull, "1.3635548534927665e+89"}, {0x7576714a06057c82ull, "6.739508595758605e+257"},
    {0x06e0f45856eaa301ull, "1.5303059611217572e-275"}, {0x82bde024f7acee22ull, "-1.8272601399104736e-295"}, {0xb0d26ee6fa928906ull, "-1.6301294128168097e-73"},
    {0x6a5ccc2cbe99854aull, "2.2572140005785964e+204"}, {0x01b5577d00e266d0ull, "1.9917479904700448e-300"}, {0xa9f559fcf0b37868ull, "-1.4546223495953267e-106"},
    {0x29ef41d0deea959eull, "1.0647315861075762e-106"}, {0x94820a06c555663full, "-6.85882119867777e-210"}, {0x495cfa4f2dcaabd5ull, "2.5849035208654928e+45"},
    {0xa70ce1b51978cec0ull, "-1.3980865026926386e-120"}, {0x1b1bcf726a1eccdaull, "4.2893241473530543e-178"}, {0xae711399e2b2848bull, "-5.493913207906451e-85"},
    {0x2e80dbd593fd7234ull, "1.084765896058589e-84"}, {0x600027e8bc90a6ecull, "2.7076892184663095e+154"}, {0xf5cdb9413b8d0e76ull, "-2.8563304288860733e+259"},
    {0x9893588c860a7da1ull, "-2.713760756235414e-190"}, {0xe9c329a8b59a5969ull, "-2.9336244025820534e+201"}, {0x5473da68d3285151ull, "6.784975464656184e+98"},
    {0x0a4de3e4ce9fb6a8ull, "4.860072067895261e-259"}, {0x1eab5cd83b788b66ull, "6.082062402788562e-161"}, {0x7fcd33d2df8960adull, "4.10132964629943e+307"},
    {0xbcb8a0843764b52eull, "-3.417685226750283e-16"}, {0xc18c6da1cd4944b6ull, "-5.961836166077559e+07"}, {0xab721ab08e1a11f0ull, "-2.0692936927247466e-99"},
    {0x41fad2962f927291ull, "7.20013797715297e+09"}, {0x6f05571896af0deaull, "6.319251251549195e+226"}, {0xea80db0684ab5616ull, "-1.056940311011457e+205"},
    {0x213f191ff56ae7eaull, "1.5200456102231995e-148"}, {0xfad2b6c50aa25068ull, "-4.348117394333563e+283"}, {0x4d23bed52a04f77aull, "4.061401464333647e+63"},
    {0xdd533730fbb91133ull, "-3.661269769061302e+141"}, {0x026530cdd50b612bull, "4.0502177924977255e-297"}, {0xf70ae8c026784184ull, "-2.711481795810649e+265"},
    {0x5987baf13aa725cbull, "1.9608773770896137e+123"}, {0x578b24268a04f74full, "5.22176877534521e+113"}, {0x62d1c049282fe557ull, "1.0467507166491465e+168"},
    {0x03499f8452e1fbb0ull, "8.023911259315103e-293"}, {0x0f967bcc0ca02f4dull, "1.4142587738176482e-233"}, {0x71f2f9c4b6307badull, "7.908122518568666e+240"},
    {0x635a8ce2141cb03eull, "4.007997109135255e+170"}, {0xcc905983fe9e6246ull, "-6.568226815218018e+60"}, {0x2df2b7c8ebaa7701ull, "2.3523319674493097e-87"},
    {0x02ff5f56c9f0b072ull, "3.0700980282040266e-294"}, {0xb65b9045c5bc647aull, "-7.543902500927032e-47"}, {0x372139f35e2503ddull, "3.862285675622193e-43"},
    {0x8334bb82adbfb00eull, "-3.246198895799575e-293"}, {0x1f1af1fac2e1dac4ull, "7.666272183892173e-159"}, {0x9f3180427b142708ull, "-1.9917072854191663e-158"},
    {0x03898f4e0fc01b11ull, "1.2806528033449365e-291"}, {0x7de6002da0485922ull, "2.8776776539821043e+298"}, {0xc5a0ff6d53650fc7ull, "-2.63027625872595e+27"},
    {0xf74fd9ec9c2ecc16ull, "-5.135147086239563e+266"}, {0xec2fc96a6bbb69f5ull, "-1.3376222657141875e+213"}, {0x8cc05570f3d90ebdull, "-2.920112608168592e-247"},
    {0x5d41eb25339bb47eull, "1.7070668040312532e+141"}, {0xa9b04e95c4d3c54cull, "-6.943443525783314e-108"}, {0x1e8fcb74b2d4f32aull, "1.7668014370103972e-161"},
    {0x265015788e7ae9afull, "3.801652100133177e-124"}, {0x7eb14f84147de9b0ull, "1.8548466680109644e+302"}, {0xe47b342b2a3a4667ull, "-1.0765316368766168e+176"},
    {0x55e6fa5af79fcaa0ull, "6.587487223251784e+105"}, {0x340856933b0b6398ull, "4.8466205199672995e-58"}, {0x29aa57a529ddf4c7ull, "5.608236388575786e-108"},
    {0x266fdf5c49cdbec7ull, "1.5067040208393873e-123"}, {0x173148758980bb2cull, "5.780202677294167e-197"}, {0xb21ab98f85056138ull, "-2.4781990961863778e-67"},
    {0x2583bf9000da5a80ull, "5.697985911077337e-128"}, {0xa85dffca00d0bac4ull, "-3.0454465617270388e-114"}, {0xe2cce77b7efe369aull, "-8.522146168608318e+167"},
    {0xd5d3cee22f529fb3ull, "-2.839371183697284e+105"}, {0xef0e1c779b852cbcull, "-8.916508270791997e+226"}, {0xd9c1aa99cc6812b6ull, "-2.335697060103056e+124"},
    {0x43a7c488188b2694ull, "8.563216986513925e+17"}, {0xc00187a68152a2c5ull, "-2.1912355521529627e+00"}, {0x10ed026067f8ab1full, "3.826751713004138e-227"},
    {0xc05f69afca5b2579ull, "-1.2565135439778341e+02"}, {0xc104551ca9591cd2ull, "-1.665635826895e+05"}, {0x412991da9999999aull, "8.378693e+05"},
    {0xc12cda5123d70a3dull, "-9.4544857e+05"}, {0xc123c71d963497b7ull, "-6.4807879337e+05"}, {0xc123a780851eb852ull, "-6.4403226e+05"},
    {0x4123be5277393d22ull, "6.469532328585724e+05"}, {0x412c1651245a1cacull, "9.20360571e+05"}, {0x41176c5a73603c81ull, "3.837666126718e+05"},
    {0xc1272f39f0870111ull, "-7.5970896978e+05"}, {0xc0f3491e7ca5cc8full, "-7.89939054315558e+04"}, {0x410f48fd45a1cac1ull, "2.56287659e+05"},
    {0xc12231fa6512d13eull, "-5.9622119740919e+05"}, {0x40ee3c919999999aull, "6.192455e+04"}, {0xc114b77f8b439581ull, "-3.39423886e+05"},
    {0xc126ddbc7a858794ull, "-7.492782393e+05"}, {0x41179b2ff231f749ull, "3.8676398651873e+05"}, {0x4127e4f015223cf8ull, "7.829680412768414e+05"},
    {0xc11d4e0000000000ull, "-4.80128e+05"}, {0xc12bd45febfd5022ull, "-9.11919960917e+05"}, {0x40e04bc2880aeee0ull, "3.337407910677581e+04"},
    {0xc127f3c66f766be4ull, "-7.84867217700359e+05"}, {0xc12a5eb80a2a3952ull, "-8.640920198533928e+05"}, {0x412736d7bff4341aull, "7.6068387491e+05"},
    {0xc12c5c82d98586feull, "-9.293454248468576e+05"}, {0xc0fb4ceff4b5ca60ull, "-1.1182299724368146e+05"}, {0xc107fa0a60e410b6ull, "-1.9641729731e+05"},
    {0x410af25ab9b8a34aull, "2.207473406842e+05"}, {0x411cf52886dc5d64ull, "4.744421317e+05"}, {0xc12b718ebae52c3full, "-8.992713650297e+05"},
    {0xc12cb9dd4dc9e668ull, "-9.41294651931e+05"}, {0xc1263667c577d955ull, "-7.2785988568e+05"}, {0x4115808800000000ull, "3.5229e+05"},
    {0x41229718903a3c72ull, "6.091642816943063e+05"}, {0xc12ca64c00000000ull, "-9.3879e+05"}, {0x4126b6bc8381b761ull, "7.44286256849032e+05"},
    {0xc0d28003562174c5ull, "-1.8944052132e+04"}, {0xc1126ab1bd07c84bull, "-3.017404346e+05"}, {0x411b8382371758e2ull, "4.507845538e+05"},
    {0xc129e91124b0c027ull, "-8.49032571661e+05"}, {0xc1101053aab367a1ull, "-2.631889167e+05"}, {0xc103b66000000000ull, "-1.61484e+05"},
    {0xc129857cd1eb851full, "-8.3628641e+05"}, {0xc12057a76858793eull, "-5.355077038e+05"}, {0xc122415ae2e3a3a9ull, "-5.98189443143e+05"},
    {0xc1279475ae147ae1ull, "-7.7266684e+05"}, {0xc12c97e75a745897ull, "-9.369476766689e+05"}, {0xc10a5569c995aaf8ull, "-2.1572522343e+05"},
    {0xc11f929000000000ull, "-5.17284e+05"}, {0xc12573f474b21668ull, "-7.029702279212e+05"}, {0xc11d666ca1cac083ull, "-4.81691158e+05"},
    {0xc1113994896a0e11ull, "-2.8221313419363e+05"}, {0xc11a5a90566d4320ull, "-4.3178008440117724e+05"}, {0xc128c7f900000000ull, "-8.120285e+05"},
    {0x40f8284a66666666ull, "9.894865e+04"}, {0x412c283e1aac8c20ull, "9.226550520976819e+05"}, {0xc12d96c8875095c5ull, "-9.6957226428669e+05"},
    {0xc12543b88c7893bbull, "-6.9679627435743e+05"}, {0xc115518e26584ea1ull, "-3.4928353744624e+05"}, {0x4121318458508fc4ull, "5.633941724896361e+05"},
    {0xc0f4c3adc28f5c29ull, "-8.505086e+04"}, {0xc12d049ad65bada6ull, "-9.508614186682e+05"}, {0xc12cd91dd652413full, "-9.452949185963048e+05"},
    {0xc111e14397a67a53ull, "-2.92944898096e+05"}, {0x41134a643358a65full, "3.1605705014286e+05"}, {0xc11610d400000000ull, "-3.61525e+05"},
    {0xc12bb9d3ebb88d7bull, "-9.085219603924e+05"}, {0xc10afba13f62b6aeull, "-2.2104415595e+05"}, {0xc126dc2f65aee632ull, "-7.490796986e+05"},
    {0x410dea1c67bd1d93ull, "2.45059550653678e+05"}, {0xc127d079d6cdb13dull, "-7.80348919538058e+05"}, {0xc128a22266666666ull, "-8.071852e+05"},
    {0xc12c7ccf47ae147bull, "-9.3347964e+05"}, {0xc117556800000000ull, "-3.82298e+05"}, {0x40e87c9743958106ull, "5.0148727e+04"},
    {0xc0971cfc17580b5aull, "-1.4792461828e+03"}, {0xc102b64000000000ull, "-1.53288e+05"}, {0xc114cf6ea7ef9db2ull, "-3.40955664e+05"},
    {0xc1249f369ff5cfaaull, "-6.757393124222655e+05"}, {0x40f52181dece6d58ull, "8.6552116896083e+04"}, {0x412df238e3ab68ccull, "9.812764446671247e+05"},
    {0x41286b4e2e147ae1ull, "8.0016709e+05"}, {0x410228767c7ccf34ull, "1.4875081078493e+05"}, {0x4111129fcecd76ecull, "2.7971995195566e+05"},
    {0x411516d147ae147bull, "3.4552432e+05"}, {0x41255199fab85bfdull, "6.985729896878e+05"}, {0x4112628000000000ull, "3.01216e+05"},
    {0x41215a30cccccccdull, "5.686004e+05"}, {0xc12a42ac243cbdacull, "-8.605020707759163e+05"}, {0xc1270d68202cc037ull, "-7.553800628414218e+05"},
    {0x410052043d07c84bull, "1.336965298e+05"}, {0x412d551f6c8b4396ull, "9.61167712e+05"}, {0xc0b23351a9fbe76dull, "-4.659319e+03"},
    {0x41171346e84d4d50ull, "3.7806572685738374e+05"}, {0xc1078c5ab81c5f0full, "-1.92907339897864e+05"}, {0x411264a53020c49cull, "3.01353297e+05"},
    {0xc127e6044f93a5e5ull, "-7.8310615542334e+05"}, {0x40d9268000000000ull, "2.5754e+04"}, {0x41290a656a6b3b37ull, "8.2053070784936e+05"},
    {0xc11fe176860fe47aull, "-5.2233363092e+05"}, {0x4116926f0bd3f25bull, "3.698197615507e+05"}, {0x000772ec6be805e9ull, "1.0358998237077227e-308"},
    {0x00053e7d1c6c5239ull, "7.292813830522024e-309"}, {0x00071b803fccf7deull, "9.88409192311882e-309"}, {0x0006cb4c4dc094bfull, "9.448404903773417e-309"},
    {0x0001fe6390f23cccull, "2.772590495177924e-309"}, {0x00037cc82bd47c69ull, "4.84986745325777e-309"}, {0x0009dea7ba87b56cull, "1.37255722965622e-308"},
    {0x000ebb0af8441762ull, "2.048547086544958e-308"}, {0x0004321062852c25ull, "5.83464779322327e-309"}, {0x000e17cd92002619ull, "1.959870156753696e-308"},
    {0x000c7006a2e109c5ull, "1.7296613392856946e-308"}, {0x0002d0e9cc488391ull, "3.916223825233447e-309"}, {0x000016efa10d9421ull, "1.2459572264836e-310"},
    {0x000bb6f9843aac11ull, "1.629135778622135e-308"}, {0x00046ba6b872d885ull, "6.147479535372975e-309"}, {0x000ce6c50614cf0aull, "1.794166589631301e-308"},
    {0x0007ab46f0964600ull, "1.0665128347843345e-308"}, {0x00055119e60ccaa1ull, "7.393922422945016e-309"}, {0x000a195db19e0934ull, "1.4044507525159504e-308"},
    {0x000ca55c339d4ecaull, "1.758634147538374e-308"}, {0x0004d5dea02798f9ull, "6.72449061711651e-309"}, {0x000ba24c0733213dull, "1.617903018525586e-308"},
    {0x0005df5565cfa1b3ull, "8.166572900569325e-309"}, {0x000efa99372273f9ull, "2.083072479184687e-308"}, {0x000fc6bc8fad43b3ull, "2.1939665911553814e-308"},
    {0x0003afe8401c00aeull, "5.127595943344965e-309"}, {0x000eb872179fb78full, "2.04713621927115e-308"}, {0x000343b3cb3aae05ull, "4.539793420996664e-309"},
    {0x000eb1474053559full, "2.0432426943724195e-308"}, {0x000017f58f492c25ull, "1.3015387888833e-310"}, {0x0000000000000003ull, "1.5e-323"},
    {0x0000000000000004ull, "2e-323"}, {0x0000000000000005ull, "2.5e-323"}, {0x0000000000000006ull, "3e-323"},
    {0x0000000000000007ull, "3.5e-323"}, {0x0000000000000008ull, "4e-323"}, {0x0000000000000009ull, "4.4e-323"},
    {0x000000000000000aull, "5e-323"}, {0x000000000000000bull, "5.4e-323"}, {0x000000000000000cull, "6e-323"},
    {0x000000000000000dull, "6.4e-323"}, {0x000000000000000eull, "7e-323"}, {0x000000000000000full, "7.4e-323"},
    {0x0000000000000010ull, "8e-323"}, {0x0000000000000011ull, "8.4e-323"}, {0x0000000000000012ull, "9e-323"},
    {0x0000000000000013ull, "9.4e-323"}, {0x0000000000000014ull, "1e-322"}, {0x0000000000000015ull, "1.04e-322"},
    {0x0000000000000016ull, "1.1e-322"}, {0x0000000000000017ull, "1.14e-322"}, {0x0000000000000018ull, "1.2e-322"},
    {0x0000000000000019ull, "1.24e-322"}, {0x000000000000001aull, "1.3e-322"}, {0x000000000000001bull, "1.33e-322"},
    {0x000000000000001cull, "1.4e-322"}, {0x000000000000001dull, "1.43e-322"}, {0x43b6f73764dd0745ull, "1.654852294426445e+18"},
    {0x44086fb0b966370cull, "5.634624926897521e+19"}, {0x44111d371dd86b28ull, "7.892495835480732e+19"}, {0x44110595c4ac97ddull, "7.849927331008579e+19"},
    {0x43fc7bb53dfd2bd3ull, "3.283893332868053e+19"}, {0x43e646489d46653full, "1.284040126025813e+19"}, {0x440a6e8c63806156ull, "6.094764964504999e+19"},
    {0x43fa95d558a9262aull, "3.065074869260325e+19"}, {0x43f8ca66658b15faull, "2.858164461627242e+19"}, {0x43f23979eac7506aull, "2.101143705005527e+19"},
    {0x44010ebfc820e3f5ull, "3.933217966671676e+19"}, {0x440d9600c8989431ull, "6.822055472511413e+19"}, {0x44016a071146b5c9ull, "4.015434294266437e+19"},
    {0x440c0901ba2c8099ull, "6.464472982318554e+19"}, {0x440f90790cdc16a3ull, "7.278242905475648e+19"}, {0x441192502305ebcbull, "8.103440362226862e+19"},
    {0x4408c10dc5ae87adull, "5.707910624330473e+19"}, {0x4415795cc744d18eull, "9.903167730568367e+19"}, {0x4405c622e0ee799bull, "5.020735582893319e+19"},
    {0x44074bef66f6f19eull, "5.371835237229997e+19"}, {0x440c8cdf141263feull, "6.583246102727542e+19"}, {0x44150fd3455e2df2ull, "9.713048923733888e+19"},
    {0x440e712d42a6d378ull, "7.019469624947553e+19"}, {0x4413e17316755157ull, "9.168337259361716e+19"}, {0x43eb860a212039a7ull, "1.586627058635304e+19"},
    {0x44024d1ebc0c1fb7ull, "4.219980988465643e+19"}, {0x440e82926134c2f6ull, "7.035137645775675e+19"}, {0x440fc6c7835073edull, "7.32715784758046e+19"},
    {0x4411ff87cd36ab8full, "8.300189012232004e+19"}, {0x43f71a52b8648429ull, "2.66357434268906e+19"}, {0x43fb4c1b6eed08a2ull, "3.147163680785892e+19"},
    {0x4401e6256e98ec79ull, "4.127230400737569e+19"}, {0x4401042673552c86ull, "3.923671281099819e+19"}, {0x43e014a2bd7fbd7full, "9.269839511333632e+18"},
    {0x4400e7363dc6cb2cull, "3.897605962185975e+19"}, {0x440bdbf18d0fb56bull, "6.423883670655739e+19"}, {0x441008e27cd8d7c4ull, "7.39470291367919e+19"},
    {0x43f3f043c408acb3ull, "2.298756464591e+19"}, {0x440aeae7ba50f238ull, "6.206775606222094e+19"}, {0x4410497765568c2full, "7.51104291221859e+19"},
    {0x43eafa964b1c4dddull, "1.555225150804295e+19"}, {0x43b3e0720be038ebull, "1.432270076835851e+18"}, {0x43ebc6f9a78122e4ull, "1.601249265787333e+19"},
    {0x440d71a40de6eca7ull, "6.789303293068843e+19"}, {0x4413cdf20e5c51f1ull, "9.13320192280738e+19"}, {0x4400cb79b8eb8668ull, "3.872623232036825e+19"},
    {0x43fb0fbeb0dae02cull, "3.119978928752576e+19"}, {0x440b3405e07457f7ull, "6.272634238066379e+19"}, {0x43fb6cc5275c846eull, "3.161873774968615e+19"},
    {0x43cb352f7bb3025full, "3.921050842240958e+18"}, {0x43f546640f9b0363ull, "2.452836386166736e+19"}, {0x440a0b5a9f0ca7c3ull, "6.005418588443406e+19"},
    {0x4403da9b72f5100full, "4.578005598987524e+19"}, {0x43fe16b44e5e082bull, "3.468989630885624e+19"}, {0x440101e3ed6e0b7bull, "3.921635784046355e+19"},
    {0x43e7c94d1b5fd4b3ull, "1.371188730526732e+19"}, {0x4410a3f236be28d0ull, "7.674036753556387e+19"}, {0x4400389870f438a4ull, "3.740325485452018e+19"},
    {0x440dec40c726f6aaull, "6.899742546239981e+19"}, {0x44089fc21b3d5900ull, "5.677920641460522e+19"},
};

static double d_of(uint64_t b)
{
    double v;
    memcpy(&v, &b, 8);
    return v;
}

static uint64_t b_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
}

static void test_go_e_vectors(void)
{
    char out[JSON_FLOAT_MAX];
    int bad = 0;
    for (size_t i = 0; i < ST_ARRAY_LEN(vec_e); i++) {
        json_fmt_go(out, d_of(vec_e[i].bits), 'e');
        if (strcmp(out, vec_e[i].e) != 0 && bad++ < 10)
            CHECK_MSG(0, "bits %016llx: got %s want %s", (unsigned long long)vec_e[i].bits, out,
                      vec_e[i].e);
        CHECK(b_of(strtod(out, NULL)) == vec_e[i].bits);
    }
    CHECK_EQ_INT(bad, 0);
}

static void check_go(double v, const char *f, const char *e, const char *g)
{
    char out[JSON_FLOAT_MAX];
    json_fmt_go(out, v, 'f');
    CHECK_MSG(strcmp(out, f) == 0, "'f' %.17g: got %s want %s", v, out, f);
    json_fmt_go(out, v, 'e');
    CHECK_MSG(strcmp(out, e) == 0, "'e' %.17g: got %s want %s", v, out, e);
    json_fmt_go(out, v, 'g');
    CHECK_MSG(strcmp(out, g) == 0, "'g' %.17g: got %s want %s", v, out, g);
}

static void test_go_layouts(void)
{
    check_go(1e21, "1000000000000000000000", "1e+21", "1e+21");
    check_go(0.1, "0.1", "1e-01", "0.1");
    check_go(1e-7, "0.0000001", "1e-07", "1e-07");
    check_go(123456789012345680000.0, "123456789012345680000", "1.2345678901234568e+20",
             "1.2345678901234568e+20");
    check_go(4.468743327960138e+16, "44687433279601380", "4.468743327960138e+16",
             "4.468743327960138e+16");
    check_go(1e6, "1000000", "1e+06", "1e+06");
    check_go(123456789.0, "123456789", "1.23456789e+08", "1.23456789e+08");
    check_go(0.00001, "0.00001", "1e-05", "1e-05");
    check_go(0.0001, "0.0001", "1e-04", "0.0001");
    check_go(100000.0, "100000", "1e+05", "100000");
    check_go(-0.0, "-0", "-0e+00", "-0");
    check_go(0.0, "0", "0e+00", "0");
    check_go(1.5e21, "1500000000000000000000", "1.5e+21", "1.5e+21");
    check_go(9.999e20, "999900000000000000000", "9.999e+20", "9.999e+20");
    check_go(2.5e-5, "0.000025", "2.5e-05", "2.5e-05");
    check_go(1234567.0, "1234567", "1.234567e+06", "1.234567e+06");
    check_go(123456.7, "123456.7", "1.234567e+05", "123456.7");
    check_go(-58.1, "-58.1", "-5.81e+01", "-58.1");
    char big[320];
    memcpy(big, "17976931348623157", 17);
    memset(big + 17, '0', 292);
    big[309] = 0;
    check_go(1.7976931348623157e308, big, "1.7976931348623157e+308", "1.7976931348623157e+308");
    check_go(NAN, "NaN", "NaN", "NaN");
    check_go(INFINITY, "+Inf", "+Inf", "+Inf");
    check_go(-INFINITY, "-Inf", "-Inf", "-Inf");
    char out[JSON_FLOAT_MAX];
    size_t n = json_fmt_go(out, 5e-324, 'f');
    CHECK_EQ_INT(n, 326);
    CHECK(strncmp(out, "0.000", 5) == 0 && out[n - 1] == '5' && out[n - 2] == '0');
    CHECK_EQ_INT(n, strlen(out));
}

static void check_prom(double v, const char *want)
{
    char out[JSON_FLOAT_MAX];
    json_fmt_prom(out, v);
    CHECK_MSG(strcmp(out, want) == 0, "prom %.17g: got %s want %s", v, out, want);
}

static void test_prom(void)
{
    check_prom(1e-6, "0.000001");
    check_prom(1e-7, "1e-07");
    check_prom(-1e-7, "-1e-07");
    check_prom(1e21, "1e+21");
    check_prom(1.5e21, "1.5e+21");
    check_prom(9.999e20, "999900000000000000000");
    check_prom(0, "0");
    check_prom(-0.0, "-0");
    check_prom(1, "1");
    check_prom(0.1, "0.1");
    check_prom(1e100, "1e+100");
    check_prom(5e-324, "5e-324");
    check_prom(NAN, "NaN");
    check_prom(INFINITY, "+Inf");
    check_prom(-INFINITY, "-Inf");
    st_buf b = {0};
    json_float_prom(&b, 2.5);
    st_buf_putc(&b, ' ');
    json_float_go(&b, 1e21, 'f');
    CHECK(b.len == 26 && memcmp(b.p, "2.5 1000000000000000000000", 26) == 0);
    st_buf_free(&b);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Digits round-trip and no shorter form does (printf's nearest one of one
 * digit less, and its neighbours, all fail). */
static bool shortest_ok(double v)
{
    char d[20], s[64];
    int dp;
    int nd = json_shortest(v, d, &dp);
    if (nd < 1 || nd > 17) return false;
    int n = snprintf(s, sizeof s, "%s0.%.*se%d", signbit(v) ? "-" : "", nd, d, dp);
    (void)n;
    if (b_of(strtod(s, NULL)) != b_of(v)) return false;
    if (d[nd - 1] == '0') return false;
    if (nd > 1) {
        snprintf(s, sizeof s, "%.*e", nd - 2, v);
        if (b_of(strtod(s, NULL)) == b_of(v)) return false;
    }
    return true;
}

/* A slow reference: for n = 1..17 digits, printf's nearest n-digit
 * decimal or the neighbour on the other side of v, first that reads back. */
static int ref_shortest(double v, char *d, int *dp)
{
    for (int n = 1; n <= 17; n++) {
        char s[64];
        snprintf(s, sizeof s, "%.*e", n - 1, fabs(v));
        int nd = 0;
        char *e = strchr(s, 'e');
        for (char *q = s; q < e; q++)
            if (*q >= '0' && *q <= '9') d[nd++] = *q;
        int x = atoi(e + 1);
        for (int side = 0; side < 2; side++) {
            char t[64];
            snprintf(t, sizeof t, "0.%.*se%d", nd, d, x + 1);
            double back = strtod(t, NULL);
            if (back == fabs(v)) {
                *dp = x + 1;
                while (nd > 1 && d[nd - 1] == '0') nd--;
                return nd;
            }
            if (side) break;
            /* step the last digit towards v */
            bool up = back < fabs(v);
            int i = nd - 1;
            if (up) {
                while (i >= 0 && d[i] == '9') d[i--] = '0';
                if (i >= 0) d[i]++;
                else {
                    d[0] = '1';
                    x++;
                }
            } else {
                while (i >= 0 && d[i] == '0') d[i--] = '9';
                if (i >= 0) d[i]--;
                if (d[0] == '0') {
                    memmove(d, d + 1, (size_t)nd - 1);
                    d[nd - 1] = '9';
                    x--;
                }
            }
        }
    }
    return 0;
}

static void test_shortest_reference(void)
{
    int bad = 0;
    for (int i = 0; i < 60000; i++) {
        double v;
        switch (i % 3) {
        case 0: v = d_of(rnd()); break;                                     /* anything */
        case 1: v = d_of((rnd() & 0x000fffffffffffffull) | ((uint64_t)(990 + rnd() % 100) << 52)); break;
        default: v = d_of((rnd() & 0x000fffffffffffffull) | ((uint64_t)(1023 + rnd() % 64 - 20) << 52));
        }
        if (!isfinite(v) || v == 0) continue;
        char d1[20], d2[20];
        int dp1 = 0, dp2 = 0, n1 = json_shortest(v, d1, &dp1), n2 = ref_shortest(v, d2, &dp2);
        if ((n1 != n2 || dp1 != dp2 || memcmp(d1, d2, (size_t)n1) != 0) && bad++ < 5)
            CHECK_MSG(0, "%.17g: %.*s/%d vs reference %.*s/%d", v, n1, d1, dp1, n2, d2, dp2);
    }
    /* few decimals at every scale (json_shortest's own path for them), and
     * their neighbours one unit in the last place away, which are not */
    for (int i = 0; i < 60000; i++) {
        char s[64];
        snprintf(s, sizeof s, "%lld.%0*llde%d", (long long)(rnd() % 1000000), (int)(rnd() % 5 + 1),
                 (long long)(rnd() % 100000), (int)(rnd() % 17) - 8);
        double v = strtod(s, NULL);
        if (i % 4 == 3) v = nextafter(v, 1e300);
        if (!isfinite(v) || v == 0) continue;
        char d1[20], d2[20];
        int dp1 = 0, dp2 = 0, n1 = json_shortest(v, d1, &dp1), n2 = ref_shortest(v, d2, &dp2);
        if ((n1 != n2 || dp1 != dp2 || memcmp(d1, d2, (size_t)n1) != 0) && bad++ < 5)
            CHECK_MSG(0, "%s (%.17g): %.*s/%d vs reference %.*s/%d", s, v, n1, d1, dp1, n2, d2, dp2);
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_shortest_random(void)
{
    int bad = 0;
    for (int i = 0; i < 300000; i++) {
        double v = d_of(rnd());
        if (!isfinite(v) || v == 0) continue;
        if (!shortest_ok(v) && bad++ < 5) CHECK_MSG(0, "random %.17g", v);
    }
    /* short decimals, as measurements look */
    for (int i = 0; i < 300000; i++) {
        char s[64];
        snprintf(s, sizeof s, "%lld.%0*lld", (long long)(rnd() % 100000),
                 (int)(rnd() % 6 + 1), (long long)(rnd() % 1000000));
        double v = strtod(s, NULL);
        if (v == 0) continue;
        if (!shortest_ok(v) && bad++ < 5) CHECK_MSG(0, "decimal %s", s);
        /* for these the answer is known: the text without trailing zeros */
        char d[20];
        int dp, nd = json_shortest(v, d, &dp);
        char back[64];
        snprintf(back, sizeof back, "0.%.*se%d", nd, d, dp);
        CHECK(strtod(back, NULL) == v);
    }
    /* subnormals and the smallest normals */
    for (int i = 0; i < 20000; i++) {
        double v = d_of(rnd() & 0x001fffffffffffffull);
        if (v == 0) continue;
        if (!shortest_ok(v) && bad++ < 5) CHECK_MSG(0, "subnormal %.17g", v);
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_parse_double(void)
{
    double v;
    CHECK(json_parse_double("1", 1, &v) == 0 && v == 1);
    CHECK(json_parse_double("-1.5", 4, &v) == 0 && v == -1.5);
    CHECK(json_parse_double("1.", 2, &v) == 0 && v == 1);
    CHECK(json_parse_double(".5", 2, &v) == 0 && v == 0.5);
    CHECK(json_parse_double("+2", 2, &v) == 0 && v == 2);
    CHECK(json_parse_double("1e3", 3, &v) == 0 && v == 1000);
    CHECK(json_parse_double("1.5E-3", 6, &v) == 0 && v == 1.5e-3);
    CHECK(json_parse_double("-0", 2, &v) == 0 && v == 0 && signbit(v));
    CHECK(json_parse_double("0e999999999999", 14, &v) == 0 && v == 0);
    CHECK(json_parse_double("1e400", 5, &v) == -2 && isinf(v));
    CHECK(json_parse_double("-1e400", 6, &v) == -2 && isinf(v) && v < 0);
    CHECK(json_parse_double("1e-400", 6, &v) == 0 && v == 0);
    CHECK(json_parse_double("4.9e-324", 8, &v) == 0 && v == 5e-324);
    CHECK(json_parse_double("1000000000000000000000", 22, &v) == 0 && v == 1e21);
    CHECK(json_parse_double("9007199254740993", 16, &v) == 0 && v == 9007199254740992.0);
    CHECK(json_parse_double("", 0, &v) == -1);
    CHECK(json_parse_double(".", 1, &v) == -1);
    CHECK(json_parse_double("-", 1, &v) == -1);
    CHECK(json_parse_double("1e", 2, &v) == -1);
    CHECK(json_parse_double("1e+", 3, &v) == -1);
    CHECK(json_parse_double("1..2", 4, &v) == -1);
    CHECK(json_parse_double("1.2.3", 5, &v) == -1);
    CHECK(json_parse_double("0x10", 4, &v) == -1);
    CHECK(json_parse_double("inf", 3, &v) == -1);
    CHECK(json_parse_double("nan", 3, &v) == -1);
    CHECK(json_parse_double("1 ", 2, &v) == -1);
    CHECK(json_parse_double("--1", 3, &v) == -1);
    /* the input is not NUL-terminated: parse a prefix of a longer string */
    CHECK(json_parse_double("12345", 2, &v) == 0 && v == 12);
    /* agreement with strtod on random decimal text, fast path or not */
    int bad = 0;
    for (int i = 0; i < 300000; i++) {
        char s[96];
        int n;
        switch (i % 6) {
        case 5: /* 17 digits in the range of measurements: the extended-precision path */
            n = snprintf(s, sizeof s, "%.17g",
                         (double)(rnd() >> 11) / 9007199254740992.0 * pow(10, (int)(rnd() % 16) - 5));
            break;
        case 4: /* exact ties between two doubles: round half to even */
            n = snprintf(s, sizeof s, "%llu",
                         (unsigned long long)((1ull << 53) + 2 * (rnd() % (1ull << 52)) + 1));
            break;
        case 0: n = snprintf(s, sizeof s, "%.17g", d_of(rnd())); break;
        case 1:
            n = snprintf(s, sizeof s, "%lld.%lld", (long long)(rnd() % 1000000),
                         (long long)(rnd() % 1000000000));
            break;
        case 2:
            n = snprintf(s, sizeof s, "%llue%d", (unsigned long long)(rnd() >> (rnd() % 64)),
                         (int)(rnd() % 60) - 30);
            break;
        default:
            n = snprintf(s, sizeof s, "-0.%030llu%llu", (unsigned long long)(rnd() % 1000),
                         (unsigned long long)rnd());
            break;
        }
        if (strstr(s, "nan") || strstr(s, "inf")) continue;
        int rc = json_parse_double(s, (size_t)n, &v);
        double want = strtod(s, NULL);
        if ((rc != 0 && !(rc == -2 && isinf(want))) || b_of(v) != b_of(want)) {
            if (bad++ < 5) CHECK_MSG(0, "%s: rc %d got %.17g want %.17g", s, rc, v, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

static void check_str(const char *in, size_t n, unsigned flags, const char *want)
{
    st_buf b = {0};
    json_str_ex(&b, in, n, flags);
    CHECK_MSG(b.len == strlen(want) && memcmp(b.p, want, b.len) == 0, "got %.*s want %s",
              (int)b.len, (const char *)b.p, want);
    st_buf_free(&b);
}

static void test_str(void)
{
    check_str("", 0, 0, "\"\"");
    check_str("abc", 3, 0, "\"abc\"");
    check_str("a\"b\\c", 5, 0, "\"a\\\"b\\\\c\"");
    check_str("\n\r\t\b\f\x01\x1f", 7, 0, "\"\\n\\r\\t\\u0008\\u000c\\u0001\\u001f\"");
    check_str("\x7f", 1, 0, "\"\x7f\"");
    check_str("<a&b>'", 6, 0, "\"<a&b>'\"");
    check_str("<a&b>'", 6, JSON_ESC_HTML, "\"\\u003ca\\u0026b\\u003e'\"");
    check_str("<a&b>'", 6, JSON_ESC_QT, "\"\\u003ca&b>\\u0027\"");
    check_str("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15, 0,
              "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
    check_str("a\xffz", 3, 0, "\"a\\ufffdz\"");
    check_str("a\xc3", 2, 0, "\"a\\ufffd\"");
    check_str("\xed\xa0\x80", 3, 0, "\"\\ufffd\\ufffd\\ufffd\"");     /* surrogate */
    check_str("\xc0\xaf", 2, 0, "\"\\ufffd\\ufffd\"");                 /* overlong */
    check_str("a\xffz", 3, JSON_ESC_QT, "\"a\xffz\"");                 /* as quicktemplate */
    check_str("\xe2\x80\xa8", 3, 0, "\"\xe2\x80\xa8\"");
    check_str("\xe2\x80\xa8\xe2\x80\xa9", 6, JSON_ESC_HTML, "\"\\u2028\\u2029\"");
    check_str("\0", 1, 0, "\"\\u0000\"");
    st_buf b = {0};
    json_str(&b, "x", 1);
    json_int(&b, INT64_MIN);
    json_int(&b, 0);
    json_uint(&b, UINT64_MAX);
    const char *want = "\"x\"-9223372036854775808018446744073709551615";
    CHECK(b.len == strlen(want) && memcmp(b.p, want, b.len) == 0);
    st_buf_free(&b);
}

static void test_reader(void)
{
    st_arena *a = st_arena_new(1024);
    st_err e;
    json_reader r;
    st_slice s;
    const char *doc = " { \"a\\u00e9\\ud83d\\ude00\\n\" : [1, -2.5e3, \"x\"], \"b\": null } ";
    json_reader_init(&r, doc, strlen(doc), a);
    CHECK_OK(json_expect(&r, '{', &e));
    CHECK_OK(json_read_string(&r, &s, &e));
    CHECK(s.n == 8 && memcmp(s.p, "a\xc3\xa9\xf0\x9f\x98\x80\n", 8) == 0);
    CHECK_OK(json_expect(&r, ':', &e));
    CHECK_OK(json_expect(&r, '[', &e));
    CHECK_OK(json_read_number(&r, &s, &e));
    CHECK(s.n == 1 && s.p[0] == '1');
    CHECK(json_accept(&r, ','));
    CHECK_OK(json_read_number(&r, &s, &e));
    CHECK(s.n == 6 && memcmp(s.p, "-2.5e3", 6) == 0);
    CHECK(json_accept(&r, ','));
    CHECK_OK(json_read_string(&r, &s, &e));
    CHECK(s.n == 1 && s.p[0] == 'x' && s.p > doc && s.p < doc + strlen(doc)); /* in place */
    CHECK_OK(json_expect(&r, ']', &e));
    CHECK(json_accept(&r, ','));
    CHECK_OK(json_read_string(&r, &s, &e));
    CHECK_OK(json_expect(&r, ':', &e));
    CHECK_OK(json_skip_value(&r, &e));
    CHECK_OK(json_expect(&r, '}', &e));
    CHECK_OK(json_expect_end(&r, &e));

    /* lone surrogates become U+FFFD, as Go decodes them */
    json_reader_init(&r, "\"\\ud800x\\udc00\"", 15, a);
    CHECK_OK(json_read_string(&r, &s, &e));
    CHECK(s.n == 7 && memcmp(s.p, "\xef\xbf\xbdx\xef\xbf\xbd", 7) == 0);

    /* errors carry offsets */
    json_reader_init(&r, "[1,]", 4, a);
    CHECK_OK(json_expect(&r, '[', &e));
    CHECK_OK(json_read_number(&r, &s, &e));
    CHECK(json_accept(&r, ','));
    CHECK(json_read_number(&r, &s, &e) == ST_EINVAL);
    CHECK(strstr(e.msg, "offset 3") != NULL);

    static const char *bad[] = {
        "\"abc", "\"a\\x\"", "\"a\x01\"", "\"\\u12\"", "\"\xff\"", "01", "1.", ".5", "-", "1e",
        "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "tru", "nul", "[", "{\"a\":[}]", "\"\\",
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(bad); i++) {
        json_reader_init(&r, bad[i], strlen(bad[i]), a);
        int rc = json_skip_value(&r, &e);
        if (rc == 0) rc = json_expect_end(&r, &e);
        CHECK_MSG(rc == ST_EINVAL, "accepted %s", bad[i]);
    }
    static const char *good[] = {
        "0", "-0.5e+10", "\"\"", "[]", "{}", "[[[]]]", "{\"a\":{\"b\":[1,{\"c\":null}]}}",
        "true", "false", "null", " [ 1 , \"x\" , { } ] ",
    };
    for (size_t i = 0; i < ST_ARRAY_LEN(good); i++) {
        json_reader_init(&r, good[i], strlen(good[i]), a);
        int rc = json_skip_value(&r, &e);
        if (rc == 0) rc = json_expect_end(&r, &e);
        CHECK_MSG(rc == 0, "rejected %s: %s", good[i], e.msg);
    }

    /* a nesting bomb fails cleanly, without recursion */
    size_t n = 1000000;
    char *bomb = malloc(n);
    memset(bomb, '[', n);
    json_reader_init(&r, bomb, n, a);
    CHECK(json_skip_value(&r, &e) == ST_EINVAL && strstr(e.msg, "nesting") != NULL);
    memset(bomb, '[', 64);
    memset(bomb + 64, ']', 64);
    json_reader_init(&r, bomb, 128, a);
    CHECK_OK(json_skip_value(&r, &e));
    json_reader_init(&r, bomb, 130, a);
    bomb[64] = '[';
    bomb[129] = ']';
    memset(bomb + 65, ']', 65);
    CHECK(json_skip_value(&r, &e) == ST_EINVAL);
    free(bomb);

    int64_t i64;
    CHECK(json_parse_int64(st_slice_cstr("-9223372036854775808"), &i64) && i64 == INT64_MIN);
    CHECK(json_parse_int64(st_slice_cstr("9223372036854775807"), &i64) && i64 == INT64_MAX);
    CHECK(!json_parse_int64(st_slice_cstr("9223372036854775808"), &i64));
    CHECK(!json_parse_int64(st_slice_cstr("-9223372036854775809"), &i64));
    CHECK(!json_parse_int64(st_slice_cstr("1.0"), &i64));
    CHECK(!json_parse_int64(st_slice_cstr("-"), &i64));
    CHECK(!json_parse_int64(st_slice_cstr(""), &i64));
    st_arena_free(a);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* CPU time: CI machines are shared */
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The tree: members in any order, nesting, escapes decoded, the last of a
 * repeated key, and errors (trailing data, depth) with their offsets. */
static void test_tree(void)
{
    st_arena *a = st_arena_new(1024);
    json_node *root;
    st_err e = {0};
    const char *doc = " {\"a\": [1, -2.5e3, \"x\\u00e9\", true, null, {}], \"b\": {\"c\": false}, \"a2\": [], \"b\": 7} ";
    CHECK_OK(json_tree_parse(doc, strlen(doc), a, 0, &root, &e));
    const json_node *arr = json_tree_get(root, "a");
    CHECK(root->kind == JSON_OBJECT && root->n == 4 && arr && arr->kind == JSON_ARRAY && arr->n == 6);
    CHECK(arr->items[0].kind == JSON_NUMBER && arr->items[1].s.n == 6 && !memcmp(arr->items[1].s.p, "-2.5e3", 6));
    CHECK(arr->items[2].kind == JSON_STRING && arr->items[2].s.n == 3 && !memcmp(arr->items[2].s.p, "x\xc3\xa9", 3));
    CHECK(arr->items[3].kind == JSON_BOOL && arr->items[3].b && arr->items[4].kind == JSON_NULL &&
          arr->items[5].kind == JSON_OBJECT && arr->items[5].n == 0);
    const json_node *b = json_tree_get(root, "b");
    CHECK(b && b->kind == JSON_NUMBER); /* the last "b" */
    CHECK(json_tree_get(root, "nope") == NULL && json_tree_get(arr, "a") == NULL && json_tree_get(NULL, "a") == NULL);
    CHECK(json_tree_parse("{} x", 4, a, 0, &root, &e) == ST_EINVAL);
    CHECK(json_tree_parse("[[[1]]]", 7, a, 2, &root, &e) == ST_EINVAL && strstr(e.msg, "deeper"));
    CHECK_OK(json_tree_parse("[[[1]]]", 7, a, 3, &root, &e));
    CHECK(json_tree_parse("{\"a\" 1}", 7, a, 0, &root, &e) == ST_EINVAL && strstr(e.msg, "offset"));
    CHECK(json_tree_parse("nul", 3, a, 0, &root, &e) == ST_EINVAL);
    CHECK(json_tree_parse(NULL, 0, a, 0, &root, &e) == ST_EINVAL); /* an empty body: no buffer */
    st_arena_free(a);
}

static void test_speed(void)
{
    char out[JSON_FLOAT_MAX];
    size_t total = 0;
    int n = 2000000;
    double t0 = now_s();
    for (int i = 0; i < n; i++) total += json_fmt_prom(out, (double)(i % 100000) / 100.0 + 0.01);
    double t1 = now_s();
    for (int i = 0; i < n / 10; i++) total += json_fmt_prom(out, d_of(rnd() >> 2));
    double t2 = now_s();
    printf("  json_fmt_prom: short decimals %.0f ns/value, random doubles %.0f ns/value (%zu)\n",
           (t1 - t0) / n * 1e9, (t2 - t1) / (n / 10) * 1e9, total);
    CHECK(total > 0);
}

int main(void)
{
    RUN(test_go_e_vectors);
    RUN(test_go_layouts);
    RUN(test_prom);
    RUN(test_shortest_random);
    RUN(test_shortest_reference);
    RUN(test_parse_double);
    RUN(test_str);
    RUN(test_reader);
    RUN(test_tree);
    RUN(test_speed);
    return testlib_done("test_json");
}
