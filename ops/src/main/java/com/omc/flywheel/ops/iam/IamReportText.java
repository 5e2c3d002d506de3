package com.omc.flywheel.ops.iam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** The iam-report for a person: per role its findings, the generated policy and the diff; then the total. */
final class IamReportText {
    private static final ObjectMapper JSON = new ObjectMapper();

    private IamReportText() {
    }

    static String of(IamReport report) {
        StringBuilder b = new StringBuilder();
        UsageFiles.Usage usage = report.usage();
        b.append(String.format("iam-report: %d usage file(s), %d roles, %d allowed calls (%d distinct)%n",
                usage.files().size(), report.roles().size(), usage.calls(), usage.uses().size()));
        for (IamReport.RoleReport r : report.roles()) {
            GeneratedPolicy.Size t = r.template().size();
            GeneratedPolicy.Size g = r.generated().size();
            b.append(String.format("%n%s: %d calls; template %d statements, %d grants, %d chars; generated %d "
                            + "statements, %d grants, %d chars%n", r.role(), r.calls(), t.statements(), t.grants(),
                    t.characters(), g.statements(), g.grants(), g.characters()));
            if (!r.managedPolicies().isEmpty()) {
                b.append("  managed policies (not checked here): ").append(String.join(", ", r.managedPolicies()))
                        .append('\n');
            }
            section(b, "unused grants", r.unused().stream().map(u -> u.statement() + "  " + u.action() + "  on "
                    + u.resource() + "  -- " + (u.reason() == null ? "NO REASON WRITTEN" : u.reason())).toList());
            section(b, "wider than used", r.wider().stream().map(w -> w.kind().equals("resource")
                    ? w.statement() + "  " + w.granted() + "  used only for " + w.used().get(0) + " ("
                            + String.join(", ", w.actions()) + "; " + (w.runs() == 1
                            ? "in 1 run: a name made at run time looks the same" : "in " + w.runs() + " runs") + ")"
                    : w.statement() + "  " + w.granted() + "  used as " + String.join(", ", w.used())).toList());
            section(b, "also allowed by another statement every time", r.overlapping().stream().map(o ->
                    o.statement() + "  " + o.action() + "  on " + o.resource() + "  (also "
                            + String.join(", ", o.alsoAllowedBy()) + ")").toList());
            section(b, "used, though template.yaml says unused", r.usedDespiteReason());
            b.append("  generated policy:\n");
            try {
                for (String line : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.generated().document())
                        .split("\n")) {
                    b.append("    ").append(line.stripTrailing()).append('\n');
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            section(b, "diff, template -> generated", java.util.stream.Stream.concat(
                    r.removed().stream().map(u -> "- " + u.statement() + "  " + u.action() + "  on " + u.resource()),
                    r.added().stream().map(u -> "+ " + u.statement() + "  " + u.action() + "  on " + u.resource()))
                    .toList());
        }
        b.append(String.format("%n%d unused grants, %d without a written reason%s%n", report.unusedGrants(),
                report.unexplained(), report.unexplained() == 0 ? "" : " (exit 1: write why next to each statement "
                        + "in template.yaml, docs/security.md, or remove the grant)"));
        return b.toString();
    }

    private static void section(StringBuilder b, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        b.append("  ").append(title).append(" (").append(lines.size()).append("):\n");
        lines.forEach(l -> b.append("    ").append(l).append('\n'));
    }
}
