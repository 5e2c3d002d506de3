package com.omc.flywheel.ops.iam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/flywheel iam-report [USAGE_FILES...] [--json]}: merges the IAM usage files of local runs
 * and test runs and prints, per role, the grants no call used (with the reason template.yaml writes,
 * or none), the grants wider than their uses, the least-privilege policy generated from the calls, and
 * its diff against the template's. Reads the files alone (never template.yaml, never AWS). Exit 0 when
 * every unused grant has a written reason, 1 when one has none, 2 when the files cannot be read.
 */
public final class IamReportCommand {
    static final String USAGE = """
            usage: bin/flywheel iam-report USAGE_FILE_OR_FOLDER... [--json] [--calls FILE]

              USAGE_FILE_OR_FOLDER  iam-usage.jsonl of a local-run (beside its summary.json), or a folder of
                                    them such as statemachine/target/iam-usage/ (every *.jsonl under it)
              --json                print the JSON report instead of the text
              --calls FILE          also write the calls each role made, as doctor checks deployed roles
                                    against them (bench/run iam writes ops' role-calls.json)

            Exit 0 when every unused grant has a reason in template.yaml (# used by AWS on our behalf: ...
            or # unused here because: ...), 1 when one has none, 2 when the files cannot be read.""";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IamReportCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        String calls = null;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--calls")) {
                if (i + 1 == args.length) {
                    return usage(err, "--calls needs a FILE");
                }
                calls = args[++i];
            } else if (a.startsWith("-")) {
                return usage(err, "unknown option " + a);
            } else {
                files.add(a);
            }
        }
        if (files.isEmpty()) {
            return usage(err, "give the usage files (local-run's iam-usage.jsonl, a module's target/iam-usage/)");
        }
        IamReport report;
        try {
            UsageFiles.Usage usage = UsageFiles.read(files);
            report = IamReport.of(usage);
            if (calls != null) {
                JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(calls).toFile(), CallMap.of(usage));
            }
        } catch (BadUsageException e) {
            err.println("iam-report: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("iam-report: cannot write " + calls + ": " + e.getMessage());
            return 2;
        }
        if (json) {
            try {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            out.print(IamReportText.of(report));
        }
        return report.exitCode();
    }

    private static int usage(PrintStream err, String message) {
        err.println("iam-report: " + message);
        err.println();
        err.println(USAGE);
        return 2;
    }
}
