package io.sluice.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractConcatTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/**
 * Hadoop's Concat contract suite on {@code sluice://}. Sluice has no concat ({@code SluiceFileSystem.concat}
 * throws), and {@code contract/sluice.xml} declares {@code fs.contract.supports-concat=false}, so the suite skips
 * each case by that option; it runs them once concat exists and the option says so.
 */
public class SluiceContractConcatTest extends AbstractContractConcatTest {
  @Override
  protected AbstractFSContract createContract(Configuration conf) {
    return new SluiceContract(conf);
  }
}
