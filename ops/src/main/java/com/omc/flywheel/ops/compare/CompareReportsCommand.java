package com.omc.flywheel.ops.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bin/flywheel compare-reports TODAY NEW}: compares the reports today's pipeline wrote (TODAY)
 * with build-report's (NEW), each a local folder or an S3 prefix, and classifies every difference as
 * run-time, deliberate (documented, {@link DeliberateDifference}) or unexplained. Prints a summary (or,
 * with {@code --json}, the JSON report), writes {@code compare-reports.md} and {@code compare-reports.json}
 * into {@code --out} (default the current directory: never into a side). Exit 0 when nothing is
 * unexplained, 1 when anything is, 2 when the comparison cannot be made (a bad argument, a missing side,
 * an unreadable file, two files of one kind and date on one side, S3 refusing), with what is wrong.
 */
public final class CompareReportsCommand {
    static final String USAGE = """
            usage: bin/flywheel compare-reports TODAY NEW [--out DIR] [--json]
                                                [--region R] [--profile P] [--endpoint URL]

              TODAY, NEW  a local folder or s3://bucket/prefix/ holding report files (at its root and one
                          folder below, such as data-monitor/ and cleanrooms-reports/)
              --out DIR   where compare-reports.md and compare-reports.json go (default: the current directory)
              --json      print the JSON report instead of the summary
              --region R, --profile P, --endpoint URL
                          for an S3 side: the SDK's default chains otherwise (--endpoint: a local S3 such as moto)

            Exit 0 when every difference is run-time or deliberate, 1 when any is unexplained, 2 when the
            reports cannot be compared.""";
    static final String MARKDOWN = "compare-reports.md";
    static final String JSON = "compare-reports.json";
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CompareReportsCommand() {
    }

    /** A bad argument: exit 2, with the usage. */
    static final class UsageException extends BadInputException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The command line, checked before anything is read. */
    record Options(String today, String now, Path out, boolean json, String region, String profile, String endpoint) {
        static Options parse(String[] args) {
            List<String> sides = new ArrayList<>();
            Path out = Path.of("");
            boolean json = false;
            String region = null;
            String profile = null;
            String endpoint = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--json" -> json = true;
                    case "--region" -> region = value(args, ++i, a);
                    case "--profile" -> profile = value(args, ++i, a);
                    case "--endpoint" -> endpoint = value(args, ++i, a);
                    default -> {
                        if (a.startsWith("-")) {
                            throw new UsageException("unknown option " + a);
                        }
                        sides.add(a);
                    }
                }
            }
            if (sides.size() != 2) {
                throw new UsageException(sides.size() < 2 ? "give TODAY and NEW (two folders or S3 prefixes)"
                        : "unexpected argument '" + sides.get(2) + "': give TODAY and NEW only");
            }
            if (sides.stream().anyMatch(String::isBlank)) {
                throw new UsageException("TODAY and NEW must not be empty");
            }
            if (normal(sides.get(0)).equals(normal(sides.get(1)))) {
                throw new UsageException("TODAY and NEW are the same place (" + sides.get(0) + ")");
            }
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new UsageException("--out must be a folder; " + out + " is a file");
            }
            if (region != null && !REGION.matcher(region).matches()) {
                throw new UsageException("--region must be a region such as us-east-1, got '" + region + "'");
            }
            if (endpoint != null && !endpoint.matches("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$")) {
                throw new UsageException("--endpoint must be http(s)://host:port, got '" + endpoint + "'");
            }
            return new Options(sides.get(0), sides.get(1), out, json, region, profile, endpoint);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }

        private static String normal(String side) {
            if (side.startsWith("s3://")) {
                return side.endsWith("/") ? side : side + "/";
            }
            return Path.of(side).toAbsolutePath().normalize().toString();
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code (0 nothing unexplained, 1 something is, 2 cannot compare). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            err.println("compare-reports: " + e.getMessage());
            err.println();
            err.println(USAGE);
            return 2;
        }
        S3Client[] s3 = new S3Client[1];
        try {
            ComparisonReport report = compare(options, () -> {
                if (s3[0] == null) {
                    s3[0] = ReportSource.client(options.region(), options.profile(), options.endpoint());
                }
                return s3[0];
            });
            Path md = write(options.out(), MARKDOWN, report.markdown());
            Path json = write(options.out(), JSON, pretty(report));
            if (options.json()) {
                out.println(pretty(report));
            } else {
                out.print(report.text());
                out.println("report: " + md.toAbsolutePath() + ", " + json.toAbsolutePath());
            }
            return report.exitCode();
        } catch (BadInputException e) {
            err.println("compare-reports: " + e.getMessage());
            return 2;
        } catch (SdkException e) {
            err.println("compare-reports: S3 answered: " + e.getMessage());
            return 2;
        } finally {
            if (s3[0] != null) {
                s3[0].close();
            }
        }
    }

    static ComparisonReport compare(Options options, java.util.function.Supplier<S3Client> s3) {
        ReportSource today = ReportSource.of("TODAY", options.today(), s3);
        ReportSource now = ReportSource.of("NEW", options.now(), s3);
        List<String> ignoredToday = new ArrayList<>();
        List<String> ignoredNew = new ArrayList<>();
        List<ReportFile> todayFiles = recognise(today, "TODAY", ignoredToday);
        List<ReportFile> newFiles = recognise(now, "NEW", ignoredNew);
        Set<String> todayCollaborations = ReportPairs.collaborations(todayFiles);
        List<ComparisonReport.FileResult> results = new ArrayList<>();
        for (ReportPairs.Pair p : ReportPairs.pair(todayFiles, newFiles, today.location(), now.location())) {
            List<Observation> observations = new ArrayList<>(ReportPairs.fileObservations(p, todayCollaborations));
            int rows = 0;
            if (p.today() != null && p.now() != null) {
                ReportComparer.Result r = ReportComparer.compare(p.kind(), p.file(),
                        "TODAY's " + today.locate(p.today().path()), today.read(p.today().path()),
                        "NEW's " + now.locate(p.now().path()), now.read(p.now().path()));
                observations.addAll(r.observations());
                rows = r.rows();
            }
            results.add(new ComparisonReport.FileResult(p, rows, observations.stream().map(Classifier::classify)
                    .toList()));
        }
        return new ComparisonReport(today.location(), now.location(), results, ignoredToday, ignoredNew);
    }

    /** The side's report files; the others are listed as ignored. A side with no report file is refused. */
    private static List<ReportFile> recognise(ReportSource source, String side, List<String> ignored) {
        List<ReportFile> files = new ArrayList<>();
        for (String path : source.files()) {
            Optional<ReportFile> f = ReportFile.recognise(path, side);
            if (f.isPresent()) {
                files.add(f.get());
            } else {
                ignored.add(path);
            }
        }
        if (files.isEmpty()) {
            throw new BadInputException(side + ": no report file in " + source.location() + " (looked for "
                    + "ACX_Data_Monitor_Report_* and ACX_Cleanroom_Report_* at its root and one folder below"
                    + (ignored.isEmpty() ? "; it is empty" : "; it holds " + ignored.size() + " other files") + ")");
        }
        return files;
    }

    private static Path write(Path dir, String name, String text) {
        try {
            Files.createDirectories(dir.toAbsolutePath());
            return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot write " + dir.resolve(name) + ": " + e);
        }
    }

    private static String pretty(ComparisonReport report) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.json());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
