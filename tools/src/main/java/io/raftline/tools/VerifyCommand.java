package io.raftline.tools;

import io.raftline.io.snapshot.SnapshotFile;
import io.raftline.io.storage.LogInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raftline verify DIR}: checks every entry; exit 1 naming the first bad file and index. Read-only. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Checks every entry's checksum, index continuity and term order, and every snapshot block by " +
        "block. Exit 0 when clean; exit 1 naming the first bad file and index.")
final class VerifyCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The node's data directory.")
    private Path dir;

    @Override
    public Integer call()
    {
        try (LogInspector inspector = LogInspector.open(dir))
        {
            final LogInspector.Verification verification = inspector.verify();
            if (!verification.ok())
            {
                throw new CommandFailure("corrupt: " + verification.file() + ", index " + verification.index() +
                    ": " + verification.problem());
            }
            int snapshots = 0;
            for (final SnapshotListing.Entry snapshot : SnapshotListing.of(dir))
            {
                final String problem = snapshot.footer() == null ? snapshot.problem() :
                    SnapshotFile.verifyBody(snapshot.file(), snapshot.footer());
                if (problem != null)
                {
                    throw new CommandFailure("corrupt: snapshot " + snapshot.file() + ": " + problem);
                }
                snapshots++;
            }
            spec.commandLine().getOut().printf("ok: %d entries in %d segments, indexes %d..%d; %d snapshots%n",
                verification.entriesChecked(), verification.segmentsChecked(), inspector.firstIndex(),
                inspector.lastIndex(), snapshots);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
