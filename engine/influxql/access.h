/* access: what an InfluxQL statement does to which databases, so that a
 * server decides every one before it runs any statement of a request
 * (issue 12: `ON db`, `db.rp.m`, subqueries, `SELECT ... INTO`, several
 * statements in one request).
 *
 * Privileges follow InfluxDB 1.x: READ for queries and SHOW on a
 * database, WRITE for writing and deleting data (INTO, DROP SERIES,
 * DELETE, DROP MEASUREMENT), ADMIN for a database's retention, continuous
 * queries and DROP DATABASE. A privilege with no database (db.n == 0) is
 * the server's: creating databases, SHOW CONTINUOUS QUERIES of every
 * database, every statement on users, grants and API tokens (CREATE/DROP
 * USER, SET PASSWORD, GRANT and REVOKE, ON db or not, SHOW USERS, SHOW
 * GRANTS, CREATE/SHOW/DROP TOKEN(S)), and the statements Strata does not
 * run. What a user may do to their own account (SHOW TOKENS FOR
 * themselves) is the server's to allow beyond this. SHOW DATABASES needs
 * none (it lists what the caller may read). A regex FROM reads
 * measurements of one database, the statement's, never others.
 *
 * Invariant: every database a statement reads or writes when it runs is
 * reported; one may be reported more than once.
 */
#ifndef ST_INFLUXQL_ACCESS_H
#define ST_INFLUXQL_ACCESS_H

#include "influxql/influxql.h"

typedef enum iql_priv { IQL_PRIV_READ = 1, IQL_PRIV_WRITE, IQL_PRIV_ADMIN } iql_priv;

/* "read", "write", "admin" */
const char *iql_priv_name(iql_priv p);

/* Calls fn(ctx, db, priv) for each (database, privilege) st needs, where
 * def is the request's database (?db=), the one a statement without ON or
 * db.rp. names. A nonzero return of fn ends the walk and is returned. */
int iql_stmt_access(const iql_stmt *st, st_slice def, int (*fn)(void *ctx, st_slice db, iql_priv p), void *ctx);

#endif
