package com.omc.flywheel.ops.compare;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One report file of a side, recognised by its name as build-report and today's scripts write it:
 * {@code ACX_Data_Monitor_Report_<date>.json|.csv} and
 * {@code ACX_Cleanroom_Report_<collaboration>_<date>.json|_Tables.csv|_IdentityResolution.csv}.
 * The date is {@code yyyy-MM-dd} (the data monitor's default), {@code yyyyMMdd} (the Clean Rooms
 * report's) or {@code yyyy_MM_dd} (build-report's {@code dateFormat} option).
 *
 * @param path       the path under the side's folder or prefix, with '/' ({@code data-monitor/ACX_...json})
 * @param collaboration the Clean Rooms file's collaboration part of the name; "" for the data monitor
 */
record ReportFile(ReportKind kind, String collaboration, LocalDate date, String dateText, String path) {
    private static final String DATE = "([0-9]{4}[-_]?[0-9]{2}[-_]?[0-9]{2})";
    private static final Pattern MONITOR = Pattern.compile("^ACX_Data_Monitor_Report_(.+)\\.(json|csv)$");
    private static final Pattern CLEANROOMS = Pattern.compile(
            "^ACX_Cleanroom_Report_(.+)_" + DATE + "(\\.json|_Tables\\.csv|_IdentityResolution\\.csv)$");
    private static final Pattern CLEANROOMS_LOOSE = Pattern.compile(
            "^ACX_Cleanroom_Report_.*(\\.json|_Tables\\.csv|_IdentityResolution\\.csv)$");

    /**
     * The report file this path names, or empty when its name is not a report's. A report's name whose
     * date cannot be read is refused: it could not be paired.
     */
    static Optional<ReportFile> recognise(String path, String side) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        Matcher m = MONITOR.matcher(name);
        if (m.matches()) {
            ReportKind kind = m.group(2).equals("json") ? ReportKind.DATA_MONITOR_JSON : ReportKind.DATA_MONITOR_CSV;
            return Optional.of(new ReportFile(kind, "", date(m.group(1), path, side), m.group(1), path));
        }
        m = CLEANROOMS.matcher(name);
        if (m.matches()) {
            ReportKind kind = switch (m.group(3)) {
                case ".json" -> ReportKind.CLEANROOMS_JSON;
                case "_Tables.csv" -> ReportKind.CLEANROOMS_TABLES_CSV;
                default -> ReportKind.CLEANROOMS_IDENTITY_CSV;
            };
            return Optional.of(new ReportFile(kind, m.group(1), date(m.group(2), path, side), m.group(2), path));
        }
        if (CLEANROOMS_LOOSE.matcher(name).matches()) {
            throw new BadInputException(side + ": cannot read the collaboration and date in the name " + path
                    + " (expected ACX_Cleanroom_Report_<collaboration>_<YYYYMMDD>.json, _Tables.csv or "
                    + "_IdentityResolution.csv)");
        }
        return Optional.empty();
    }

    private static LocalDate date(String text, String path, String side) {
        String digits = text.replace("-", "").replace("_", "");
        if (digits.matches("[0-9]{8}") && (text.length() == 8 || text.matches("[0-9]{4}([-_])[0-9]{2}\\1[0-9]{2}"))) {
            try {
                return LocalDate.of(Integer.parseInt(digits.substring(0, 4)), Integer.parseInt(digits.substring(4, 6)),
                        Integer.parseInt(digits.substring(6)));
            } catch (DateTimeException e) {
                // reported below
            }
        }
        throw new BadInputException(side + ": cannot read the date '" + text + "' in the name " + path
                + " (expected YYYY-MM-DD, YYYYMMDD or YYYY_MM_DD)");
    }

    /** The date's pattern in the name, as build-report's {@code dateFormat} spells it. */
    String dateFormat() {
        return dateText.contains("-") ? "yyyy-MM-dd" : dateText.contains("_") ? "yyyy_MM_dd" : "yyyyMMdd";
    }

    /** The folder under the side's root ("" at the root): the report prefix it was written under. */
    String folder() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
