package com.omc.flywheel.startgluejob;

/**
 * The start-glue-job result (docs/functions.md).
 *
 * @param attached true when a run already going with the same arguments was adopted instead of
 *                 starting a duplicate
 * @param startedOn ISO-8601 UTC start of the run
 */
public record StartGlueJobResult(String jobName, String jobRunId, boolean attached, String startedOn) {
}
