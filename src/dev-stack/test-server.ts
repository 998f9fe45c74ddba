// Temporal's time-skipping test server for the workflow tests (test/workflows/). The SDK's
// `createTimeSkipping()` downloads a native build from a host this machine cannot reach, so we run the
// Java build from Maven Central instead: Maven resolves the artifact and its dependencies into ~/.m2
// (once, ≈15 s), and a small wrapper script under the data dir runs it with that classpath. The SDK
// starts the wrapper with the port as its only argument (`executable: { type: 'existing-path' }`).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runWithProgress } from './go-build.js';
import { onPath } from './processes.js';

export const TEST_SERVER_ARTIFACT = 'io.temporal:temporal-test-server';
export const TEST_SERVER_VERSION = '1.31.0';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export interface FindTestServerOptions {
  dataDir: string;
  log: (msg: string) => void;
}

/** The wrapper script's path: reused when it and every jar it names exist, else (re)built with Maven. */
export async function findTemporalTestServer({ dataDir, log }: FindTestServerOptions): Promise<string> {
  const dir = resolve(dataDir, 'temporal-test-server', TEST_SERVER_VERSION);
  const wrapper = join(dir, 'temporal-test-server');
  const classpathFile = join(dir, 'classpath.txt');
  if (existsSync(wrapper) && existsSync(classpathFile) && classpathOk(readFileSync(classpathFile, 'utf8'))) {
    log(`temporal test server: using cached ${wrapper}`);
    return wrapper;
  }
  const java = onPath('java');
  const mvn = onPath('mvn');
  if (!java || !mvn) {
    throw new Error(
      'The workflow tests need Temporal’s Java test server: install Java ≥ 17 and Maven (`mvn`) so that ' +
        `Herald can fetch ${TEST_SERVER_ARTIFACT}:${TEST_SERVER_VERSION} from Maven Central.`,
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom());
  log(`temporal test server: resolving ${TEST_SERVER_ARTIFACT}:${TEST_SERVER_VERSION} with Maven (≈15 s, once; cached in ~/.m2)`);
  await runWithProgress(
    'temporal test server',
    mvn,
    ['-q', '-B', `${DEPENDENCY_PLUGIN}:build-classpath`, `-Dmdep.outputFile=${classpathFile}`],
    { cwd: dir },
    log,
  );
  const classpath = readFileSync(classpathFile, 'utf8').trim();
  if (!classpathOk(classpath)) throw new Error(`Maven wrote no usable classpath to ${classpathFile}`);
  // `exec`, so that the PID the SDK kills at teardown is the JVM's.
  writeFileSync(
    wrapper,
    `#!/bin/sh\n# Written by src/dev-stack/test-server.ts; usage: temporal-test-server <port>\nexec '${java}' -cp '${classpath}' ${MAIN_CLASS} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  log(`temporal test server: ${wrapper}`);
  return wrapper;
}

function classpathOk(classpath: string): boolean {
  const jars = classpath.trim().split(':').filter(Boolean);
  return jars.some((jar) => jar.includes('temporal-test-server')) && jars.every((jar) => existsSync(jar));
}

function pom(): string {
  const [groupId, artifactId] = TEST_SERVER_ARTIFACT.split(':');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by src/dev-stack/test-server.ts: only resolves the test server's classpath. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>herald.dev-stack</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}
