package com.omc.flywheel.ops.compare;

import static com.omc.flywheel.ops.compare.Observation.Change.CHANGED;
import static com.omc.flywheel.ops.compare.Observation.Change.ONLY_NEW;
import static com.omc.flywheel.ops.compare.Observation.Change.ONLY_TODAY;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The documented differences between today's reports and build-report's: the one list compare-reports
 * knows, each with where docs/functions.md says it ({@link #section}, and the words it says it with,
 * {@link #docs}) and how it shows in the files ({@link #explains}). {@code DeliberateDifferencesDocsTest}
 * fails when docs/functions.md's list and this one part ways (and when docs/today.md's list names one
 * this list lacks). A difference that matches none of these, and is not the time or date of a run, is
 * unexplained.
 */
enum DeliberateDifference {
    /** Today's Terraform sets compare_source_type=part: each table is counted against itself. */
    EXT_COUNT_SOURCE("build-report",
            "the count compares with `ext_<table>` (comparing a table with itself is rejected)",
            "Counts compare with `ext_<table>`",
            "the counts compare with ext_<table>, where today's compare_source_type=part counts each table against "
                    + "itself") {
        @Override
        boolean explains(Observation o) {
            if (!o.kind().dataMonitor()) {
                return false;
            }
            if (o.change() == CHANGED && o.table() == null && o.about("compare.type")) {
                return "part".equals(o.todayText()) && "ext".equals(o.nowText());
            }
            if (o.change() == CHANGED && o.table() != null && (o.about("count_src") || o.about("count_diff_pct"))) {
                JsonNode t = o.context().todayRow();
                JsonNode n = o.context().newRow();
                return !Observation.cell(t, "count_part").isEmpty()
                        && Observation.cell(t, "count_src").equals(Observation.cell(t, "count_part"))
                        && Observation.cell(t, "count_diff_pct").equals("0.000000")
                        && Observation.cell(t, "count_part").equals(Observation.cell(n, "count_part"));
            }
            if (o.change() == ONLY_NEW && o.about("alerts")) {
                String alert = o.nowText();
                return "part".equals(Observation.cell(o.context().todayDoc(), "compare.type"))
                        && "ext".equals(Observation.cell(o.context().newDoc(), "compare.type"))
                        && (alert.startsWith("[COUNT_MISMATCH] ") || SOURCE_NOT_FOUND.matcher(alert).matches());
            }
            return false;
        }
    },
    /** Today's column holds the processed date; build-report's the raw input's newest snapshot. */
    RAW_INPUT_SNAPSHOT("build-report", "`raw_input_snapshot_dt` is the raw input's newest `snapshot_dt=`",
            "`raw_input_snapshot_dt` is the raw input's newest snapshot",
            "raw_input_snapshot_dt (and input_source's snapshot_dt=) is the raw input's newest snapshot, where "
                    + "today's holds the processed one, now in processed_snapshot_dt") {
        @Override
        boolean explains(Observation o) {
            if (!o.kind().dataMonitor() || o.change() != CHANGED || o.table() == null) {
                return false;
            }
            JsonNode t = o.context().todayRow();
            JsonNode n = o.context().newRow();
            String todayRaw = Observation.cell(t, "raw_input_snapshot_dt");
            String newRaw = Observation.cell(n, "raw_input_snapshot_dt");
            boolean moved = !todayRaw.isEmpty() && todayRaw.equals(Observation.cell(n, "processed_snapshot_dt"));
            if (o.about("raw_input_snapshot_dt")) {
                return moved;
            }
            if (o.about("input_source")) {
                return moved && !newRaw.isEmpty()
                        && o.todayText().replace("snapshot_dt=" + todayRaw + "/", "snapshot_dt=*/")
                        .equals(o.nowText().replace("snapshot_dt=" + newRaw + "/", "snapshot_dt=*/"));
            }
            return false;
        }
    },
    /** build-report's last CSV column and last member of each JSON row. */
    PROCESSED_SNAPSHOT_COLUMN("build-report", "a new last CSV column `processed_snapshot_dt` holds the processed one",
            "a new last column / member `processed_snapshot_dt` holds the processed one",
            "processed_snapshot_dt, a new last CSV column and JSON row member, holds the processed snapshot") {
        @Override
        boolean explains(Observation o) {
            if (!o.kind().dataMonitor() || o.change() != ONLY_NEW || !o.about("processed_snapshot_dt")) {
                return false;
            }
            if (o.table() == null) {
                List<String> columns = o.context().newColumns();
                return o.kind().csv() && !columns.isEmpty() && columns.get(columns.size() - 1).equals(o.field());
            }
            return true;
        }
    },
    /** build-report's reportPrefix and dateFormat options; with today's defaults the names are today's. */
    REPORT_NAME_OPTIONS("build-report", "report prefix and date format are options (today's defaults)",
            "report prefix and date format are options",
            "the report prefix (folder) and the date format of the file name are build-report options") {
        @Override
        boolean explains(Observation o) {
            return o.change() == CHANGED && o.table() == null && (o.about("(folder)") || o.about("(date format)"));
        }
    },
    /** Today's monitor repairs missing partitions (MSCK); build-report only reports them. */
    NOTHING_REPAIRED("build-report", "nothing is repaired", "nothing is repaired",
            "build-report repairs nothing (msck-repair does), so today's repair alerts are gone") {
        @Override
        boolean explains(Observation o) {
            return o.kind() == ReportKind.DATA_MONITOR_JSON && o.change() == ONLY_TODAY && o.about("alerts")
                    && MSCK_FAILED.matcher(o.todayText()).matches();
        }
    },
    /** SNS only: the report files are the same. */
    SNS_BODY_CUT("build-report", "a body over SNS's limit is cut with a count of the rest",
            "an SNS body over the size limit is cut with a count",
            "an alert message over SNS's size limit is cut (not in the report files)") {
        @Override
        boolean explains(Observation o) {
            return false;
        }

        @Override
        boolean inReportFiles() {
            return false;
        }
    },
    /** Today's Clean Rooms report calls a table ready without its collaboration analysis rule. */
    READY_REQUIRES_COLLABORATION_RULE("build-report", "`ready_for_analysis` requires the collaboration analysis rule",
            "`ready_for_analysis` requires the collaboration analysis rule",
            "ready_for_analysis also requires the collaboration analysis rule") {
        @Override
        boolean explains(Observation o) {
            if (o.change() != CHANGED || o.table() == null) {
                return false;
            }
            JsonNode n = o.context().newRow();
            if (o.kind() == ReportKind.CLEANROOMS_JSON && o.about("status.ready_for_analysis")) {
                return "true".equals(o.todayText()) && "false".equals(o.nowText())
                        && "false".equals(Observation.cell(n, "collaboration_analysis_rule.exists"));
            }
            if (o.kind() == ReportKind.CLEANROOMS_TABLES_CSV && o.about("ready_for_analysis")) {
                return "Yes".equals(o.todayText()) && "No".equals(o.nowText())
                        && "No".equals(Observation.cell(n, "collaboration_rule_exists"));
            }
            return false;
        }
    },
    /** Today's report computes the receiving accounts but never writes them. */
    RESULT_RECEIVER_ACCOUNTS("build-report", "`membership_results_delivery.result_receiver_accounts` is written",
            "`membership_results_delivery.result_receiver_accounts` is written",
            "membership_results_delivery.result_receiver_accounts is written") {
        @Override
        boolean explains(Observation o) {
            return o.kind() == ReportKind.CLEANROOMS_JSON && o.change() == ONLY_NEW && o.table() == null
                    && o.about("membership_results_delivery.result_receiver_accounts");
        }
    },
    /** build-report's membershipIds: one report per membership, where today's writes one. */
    SEVERAL_MEMBERSHIPS("build-report", "`membershipIds` may list several", "several memberships in one call",
            "build-report writes a Clean Rooms report per membership it is given; today's writes one") {
        @Override
        boolean explains(Observation o) {
            return o.kind().cleanRooms() && o.change() == ONLY_NEW && o.about("(file)")
                    && !o.context().todayCollaborations().isEmpty()
                    && !o.context().todayCollaborations().contains(o.context().collaboration());
        }
    },
    /** Off by default: the event's readyForAnalysisCount. */
    READY_FOR_ANALYSIS_COUNT("the-contract", "`readyForAnalysisCount`", "`summary.ready_for_analysis_count`",
            "summary.ready_for_analysis_count, written when readyForAnalysisCount is set (off by default)") {
        @Override
        boolean explains(Observation o) {
            return o.kind() == ReportKind.CLEANROOMS_JSON && o.change() == ONLY_NEW && o.table() == null
                    && o.about("summary.ready_for_analysis_count");
        }
    };

    private static final Pattern SOURCE_NOT_FOUND = Pattern.compile(
            "^\\S+: source table not found \\S+\\.ext_\\S+; count match skipped$");
    private static final Pattern MSCK_FAILED = Pattern.compile("^\\S+: MSCK failed \\(.*\\)$");

    private final String section;
    private final String docs;
    private final String today;
    private final String summary;

    /**
     * @param section the section of docs/functions.md that documents it (its anchor)
     * @param docs    the words docs/functions.md documents it with, exactly
     * @param today   the words docs/today.md's "The deliberate differences" names it with, exactly
     * @param summary what it is, for the report's reader
     */
    DeliberateDifference(String section, String docs, String today, String summary) {
        this.section = section;
        this.docs = docs;
        this.today = today;
        this.summary = summary;
    }

    /** Whether this documented difference is what the observation shows. */
    abstract boolean explains(Observation o);

    /** False for a difference that shows nowhere in the report files (it is listed so the lists stay one). */
    boolean inReportFiles() {
        return true;
    }

    String section() {
        return section;
    }

    String docs() {
        return docs;
    }

    String today() {
        return today;
    }

    String summary() {
        return summary;
    }

    /** docs/functions.md#section. */
    String reference() {
        return "docs/functions.md#" + section;
    }
}
