package io.sluice.ufs;

import java.util.List;
import java.util.Objects;

/**
 * One page of a directory listing.
 *
 * @param entries the children on this page, each once across all pages, in the store's order; a page may hold
 *     fewer entries than asked for, even none, while {@code next} is not empty
 * @param next the cursor to pass to {@link UnderFileSystem#list} for the following page; empty on the last page.
 *     Opaque: a child name for stores that list from a name, a continuation token for S3.
 */
public record UfsListing(List<UfsStatus> entries, String next) {
  public UfsListing {
    entries = List.copyOf(entries);
    Objects.requireNonNull(next, "next");
  }

  /** Whether another page follows. */
  public boolean hasMore() {
    return !next.isEmpty();
  }
}
