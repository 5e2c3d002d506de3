package com.omc.flywheel.ops.compare;

import static com.omc.flywheel.ops.compare.Observation.Change.CHANGED;
import static com.omc.flywheel.ops.compare.Observation.Change.ONLY_NEW;
import static com.omc.flywheel.ops.compare.Observation.Change.ONLY_TODAY;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Pairs TODAY's report files with NEW's by kind (and, for Clean Rooms, collaboration) and date. When a
 * kind has one date on each side and the dates differ (the two runs were on different days), those two
 * are paired, and the date is a run-time difference. Two files of one kind and date on one side are
 * refused: which one is meant cannot be told.
 */
final class ReportPairs {
    private ReportPairs() {
    }

    /** A pair; {@code today} or {@code now} is null for a file on one side only. */
    record Pair(ReportKind kind, String collaboration, ReportFile today, ReportFile now) {
        /** The pair's name: TODAY's path when it has one, else NEW's. */
        String file() {
            return today != null ? today.path() : now.path();
        }

        LocalDate date() {
            return today != null ? today.date() : now.date();
        }
    }

    static List<Pair> pair(List<ReportFile> today, List<ReportFile> now, String todayLocation, String newLocation) {
        Map<String, Map<LocalDate, ReportFile>> t = byGroup(today, "TODAY", todayLocation);
        Map<String, Map<LocalDate, ReportFile>> n = byGroup(now, "NEW", newLocation);
        Set<String> groups = new TreeSet<>(t.keySet());
        groups.addAll(n.keySet());
        List<Pair> pairs = new ArrayList<>();
        for (String group : groups) {
            Map<LocalDate, ReportFile> a = t.getOrDefault(group, Map.of());
            Map<LocalDate, ReportFile> b = n.getOrDefault(group, Map.of());
            ReportKind kind = (a.isEmpty() ? b : a).values().iterator().next().kind();
            String collaboration = (a.isEmpty() ? b : a).values().iterator().next().collaboration();
            if (a.size() == 1 && b.size() == 1) {
                pairs.add(new Pair(kind, collaboration, a.values().iterator().next(), b.values().iterator().next()));
                continue;
            }
            Set<LocalDate> dates = new TreeSet<>(a.keySet());
            dates.addAll(b.keySet());
            for (LocalDate d : dates) {
                pairs.add(new Pair(kind, collaboration, a.get(d), b.get(d)));
            }
        }
        pairs.sort(Comparator.comparing(Pair::date).thenComparing(p -> p.kind().ordinal())
                .thenComparing(Pair::collaboration));
        return pairs;
    }

    /** Files by kind and collaboration, then date; two of one kind, collaboration and date are refused. */
    private static Map<String, Map<LocalDate, ReportFile>> byGroup(List<ReportFile> files, String side,
                                                                   String location) {
        Map<String, Map<LocalDate, ReportFile>> out = new TreeMap<>();
        for (ReportFile f : files) {
            ReportFile before = out.computeIfAbsent(f.kind().ordinal() + "/" + f.collaboration(), k -> new TreeMap<>())
                    .put(f.date(), f);
            if (before != null) {
                throw new BadInputException(side + " (" + location + ") holds two " + f.kind().label() + " reports of "
                        + f.date() + (f.collaboration().isEmpty() ? "" : " for " + f.collaboration()) + ": "
                        + before.path() + " and " + f.path() + ". Which one to compare cannot be told: point " + side
                        + " at a folder or prefix that holds one (compare-reports reads the files at its root and one "
                        + "folder below)");
            }
        }
        return out;
    }

    /**
     * What differs in the pair's files themselves: one side only (for a Clean Rooms file, with the
     * collaborations TODAY has reports of), the date, the date's format, the folder.
     */
    static List<Observation> fileObservations(Pair p, Set<String> todayCollaborations) {
        List<Observation> out = new ArrayList<>();
        Observation.Context context = Observation.Context.collaborations(p.collaboration(), todayCollaborations);
        if (p.today() == null) {
            out.add(new Observation(p.kind(), p.file(), null, "(file)", ONLY_NEW, null, Difference.text(p.now().path()),
                    context));
            return out;
        }
        if (p.now() == null) {
            out.add(new Observation(p.kind(), p.file(), null, "(file)", ONLY_TODAY, Difference.text(p.today().path()),
                    null, context));
            return out;
        }
        if (!p.today().date().equals(p.now().date())) {
            out.add(file(p, "(report date)", p.today().date().toString(), p.now().date().toString()));
        }
        if (!p.today().dateFormat().equals(p.now().dateFormat())) {
            out.add(file(p, "(date format)", p.today().dateFormat(), p.now().dateFormat()));
        }
        if (!p.today().folder().equals(p.now().folder())) {
            out.add(file(p, "(folder)", folder(p.today()), folder(p.now())));
        }
        return out;
    }

    private static Observation file(Pair p, String field, String today, String now) {
        return new Observation(p.kind(), p.file(), null, field, CHANGED, Difference.text(today), Difference.text(now),
                Observation.Context.NONE);
    }

    private static String folder(ReportFile f) {
        return f.folder().isEmpty() ? "(the root)" : f.folder() + "/";
    }

    /** The collaborations a side has Clean Rooms reports of. */
    static Set<String> collaborations(List<ReportFile> files) {
        return files.stream().filter(f -> f.kind().cleanRooms()).map(ReportFile::collaboration)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
