package io.sluice.hadoop;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.DelegateToFileSystem;

/**
 * {@code sluice://} for Hadoop's {@code FileContext} API: set {@code fs.AbstractFileSystem.sluice.impl} to this
 * class (Hadoop finds AbstractFileSystems only through that key, not through service files). Every call goes to a
 * {@link SluiceFileSystem}, as Hadoop's own adapters for S3A and the local file system do, so both APIs behave the
 * same. The authority may be left out ({@code sluice:///path}: the masters come from {@code sluice.master.addresses}).
 */
public final class SluiceAbstractFileSystem extends DelegateToFileSystem {
  /** Called by {@code AbstractFileSystem.createFileSystem} with the URI and the job's configuration. */
  public SluiceAbstractFileSystem(URI uri, Configuration conf) throws IOException, URISyntaxException {
    super(uri, new SluiceFileSystem(), conf, SluiceFileSystem.SCHEME, false);
  }
}
