package com.omc.flywheel.ops.compare;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A difference between TODAY's and NEW's reports, classified: RUN_TIME (the time or date of each run),
 * DELIBERATE (one of the documented differences, {@link DeliberateDifference}) or UNEXPLAINED.
 *
 * @param reason why it is run-time or deliberate; null when unexplained
 * @param deliberate the documented difference that explains it, or null
 */
record Difference(Category category, Observation observation, String reason, DeliberateDifference deliberate) {

    enum Category {
        RUN_TIME("run-time"), DELIBERATE("deliberate"), UNEXPLAINED("unexplained");

        private final String label;

        Category(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    String file() {
        return observation.file();
    }

    String table() {
        return observation.table();
    }

    String field() {
        return observation.field();
    }

    Observation.Change change() {
        return observation.change();
    }

    /** Where the documented difference is written, or null. */
    String reference() {
        return deliberate == null ? null : deliberate.reference();
    }

    /** What differs, in words: "column s3_partitions changed", "row part_ibe_03 only in NEW". */
    String what() {
        Observation o = observation;
        String unit = o.kind().csv() ? "column" : "member";
        String subject = o.field() == null ? "row" : switch (o.field()) {
            case "(file)" -> "the file";
            case "(report date)" -> "the report date in the file name";
            case "(date format)" -> "the date format of the file name";
            case "(folder)" -> "the folder (report prefix)";
            case "(layout)" -> "the file's layout";
            case "(columns)" -> "the order of the columns";
            case "(rows)", "tables" -> o.change() == Observation.Change.ORDER ? "the order of the rows"
                    : unit + " tables";
            case "alerts" -> o.change() == Observation.Change.ORDER ? "the order of the alerts" : "alert";
            default -> o.change() == Observation.Change.ORDER ? "the order of the members of " + o.field()
                    : unit + " " + o.field();
        };
        return subject + switch (o.change()) {
            case CHANGED -> " changed";
            case ONLY_TODAY -> " only in TODAY";
            case ONLY_NEW -> " only in NEW";
            case ORDER -> " differs";
            case FORMAT -> " differs";
        };
    }

    /** A value as the report shows it: JSON text (strings quoted), an order or layout as words, "-" when absent. */
    static String shown(JsonNode v, Observation.Change change) {
        if (v == null) {
            return "-";
        }
        String text = change == Observation.Change.ORDER || change == Observation.Change.FORMAT ? v.asText()
                : v.toString();
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }

    String todayShown() {
        return shown(observation.today(), observation.change());
    }

    String nowShown() {
        return shown(observation.now(), observation.change());
    }

    static JsonNode text(String s) {
        return s == null ? null : com.fasterxml.jackson.databind.node.TextNode.valueOf(s);
    }
}
