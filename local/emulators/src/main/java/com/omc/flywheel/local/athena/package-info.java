/**
 * The local stand-in for Amazon Athena's CTAS ({@code CREATE TABLE ... AS SELECT}), run for real
 * against moto's Glue catalog and S3, as a pipeline of one job per class:
 *
 * <ol>
 *   <li>the API face, {@link com.omc.flywheel.local.athena.AthenaCtasStandIn}: the Athena calls the
 *       AWS proxy routes to it (StartQueryExecution of a CTAS, and Get / BatchGet / GetQueryResults /
 *       Stop for its queries), the ClientRequestToken's idempotency, and each query's state
 *       ({@code CtasExecution}), answered in Athena's words ({@code AthenaReplies}); the workgroups and
 *       moto's own queries are read from moto ({@code MotoAthena});</li>
 *   <li>tokens: {@code CtasTokenizer} splits the SQL into words, literals, quoted names and symbols;</li>
 *   <li>syntax: {@code CtasParser} reads the tokens into a {@code CtasStatement} (target, WITH
 *       properties, select list, source), refusing every other form;</li>
 *   <li>execution: {@code CtasExecutor} checks the statement against the catalog in the engine's order,
 *       reads the source, writes the new folder and its manifest and registers the table, each access
 *       first authorized as the caller ({@code OnBehalfAccess});</li>
 *   <li>Parquet: {@code ParquetRows} reads the source objects and writes the one SNAPPY object.</li>
 * </ol>
 *
 * <p>A query's failures are {@code AthenaFailure}s: Athena's reason and ErrorType. A query stays
 * RUNNING for its first poll(s) and runs at the poll that reports it SUCCEEDED or FAILED.
 *
 * <p>Limits: one CTAS form only ({@code CREATE TABLE [db.]t WITH (external_location, format =
 * 'PARQUET', write_compression = 'SNAPPY') AS SELECT col [[AS] alias], ... FROM [db.]source}): no
 * WHERE, joins, expressions, {@code *}, partitioned or bucketed output, other formats or compressions;
 * Parquet sources with string, varchar, char, tinyint, smallint, int and bigint columns; the Glue
 * catalog only. Anything else fails the query with NOT_SUPPORTED naming the stand-in. Queries run
 * one at a time; StopQueryExecution does not cancel; other queries are moto's.
 */
package com.omc.flywheel.local.athena;
