/** The whole of Scrutineer in one stack: it composes the constructs and wires their permissions. */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { ENV } from '../shared/environment.ts';
import { ConcludeCaseWorkflow } from '../workflows/conclude-case.ts';
import { DipSampleWorkflow } from '../workflows/dip-sample.ts';
import { ImportDecisionsWorkflow } from '../workflows/import-decisions.ts';
import { RouteCasesWorkflow } from '../workflows/route-cases.ts';
import { SweepWorkflow } from '../workflows/sweep.ts';
import type { ScrutineerConfig } from './config.ts';
import { DataTables } from './constructs/data-tables.ts';
import { Encryption } from './constructs/encryption.ts';
import { HttpApi } from './constructs/http-api.ts';
import { Identity } from './constructs/identity.ts';
import type { ScrutineerFunction } from './constructs/scrutineer-function.ts';
import { Storage } from './constructs/storage.ts';

export interface ScrutineerStackProps extends StackProps {
  readonly config: ScrutineerConfig;
}

export class ScrutineerStack extends Stack {
  constructor(scope: Construct, id: string, props: ScrutineerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const encryption = new Encryption(this, 'Encryption');
    const encryptionKey = encryption.key;
    const tables = new DataTables(this, 'Tables', { encryptionKey });
    const storage = new Storage(this, 'Storage', {
      encryptionKey,
      uiOrigin: config.uiOrigin,
      evidenceRetentionDays: config.evidenceRetentionDays,
    });
    const identity = new Identity(this, 'Identity', {
      uiOrigin: config.uiOrigin,
      ...(config.oidc ? { oidc: config.oidc } : {}),
    });

    // Notifications are also published here, for whatever the force wires to them (e-mail, Teams).
    const notifications = new events.EventBus(this, 'Notifications', { kmsKey: encryptionKey });
    const publish = (fn: ScrutineerFunction) => fn.bindEventBus(notifications, ENV.eventBus);

    const importWorkflow = new ImportDecisionsWorkflow(this, 'ImportDecisions', {
      table: tables.main,
      auditTable: tables.audit,
      importsBucket: storage.imports,
      pseudonymKey: encryption.pseudonymKey,
      reidentificationKey: encryption.reidentificationKey,
      encryptionKey,
    });

    new SweepWorkflow(this, 'Sweep', {
      table: tables.main,
      auditTable: tables.audit,
      encryptionKey,
      every: Duration.hours(1),
      publish,
    });

    const sampleWorkflow = new DipSampleWorkflow(this, 'DipSample', {
      table: tables.main,
      auditTable: tables.audit,
      reportsBucket: storage.reports,
      evidenceBucket: storage.evidence,
      encryptionKey,
    });

    const routingWorkflow = new RouteCasesWorkflow(this, 'RouteCases', {
      table: tables.main,
      encryptionKey,
      publish,
    });

    const conclusionWorkflow = new ConcludeCaseWorkflow(this, 'ConcludeCase', {
      table: tables.main,
      auditTable: tables.audit,
      evidenceBucket: storage.evidence,
      encryptionKey,
      publish,
    });
    /** Submitting a finding or a moderation starts the conclusion workflow. */
    const startsConclusion = (fn: ScrutineerFunction) => {
      fn.bindTableWriter(tables.main, ENV.mainTable);
      fn.bindStateMachineStarter(conclusionWorkflow.stateMachine, ENV.conclusionStateMachine);
    };
    const readsPacks = (prefix: string) => (fn: ScrutineerFunction) => {
      fn.bindTableReader(tables.main, ENV.mainTable);
      fn.bindBucket(storage.evidence, ENV.evidenceBucket, { read: true, list: true, prefix });
    };
    const writesSittingPacks = (fn: ScrutineerFunction) =>
      fn.bindBucket(storage.evidence, ENV.evidenceBucket, {
        read: true,
        write: true,
        list: true,
        prefix: 'packs/sittings/',
      });
    const writesReports = (fn: ScrutineerFunction) => {
      fn.bindTableWriter(tables.main, ENV.mainTable);
      fn.bindBucket(storage.reports, ENV.reportsBucket, { read: true, write: true, prefix: 'reports/' });
    };

    const api = new HttpApi(this, 'Http', {
      issuer: identity.issuer,
      audience: identity.audience,
      rolesClaim: config.rolesClaim,
      uiOrigin: config.uiOrigin,
      encryptionKey,
      throttle: config.apiThrottle,
      auditTable: tables.audit,
      permissions: {
        getHealth: () => {},
        getOpenApiDocument: () => {},
        // Records the person signing in, so an admin can name them chair.
        getMe: (fn) => fn.bindTableWriter(tables.main, ENV.mainTable),
        createImport: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindBucket(storage.imports, ENV.importsBucket, { write: true, prefix: 'uploads/' });
        },
        listImports: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getImport: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        startImport: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindBucket(storage.imports, ENV.importsBucket, { read: true, prefix: 'uploads/' });
          fn.bindStateMachineStarter(importWorkflow.stateMachine, ENV.importStateMachine);
        },
        getImportErrors: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindBucket(storage.imports, ENV.importsBucket, { read: true, prefix: 'errors/' });
        },
        getDecision: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        searchDecisions: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindSecret(encryption.pseudonymKey, ENV.pseudonymKeySecret);
        },
        createSample: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindStateMachineStarter(sampleWorkflow.stateMachine, ENV.sampleStateMachine);
        },
        listSamples: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getSample: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        revealSampleReferences: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindEnvelopeKey(encryption.reidentificationKey, ENV.reidentificationKey, { open: true });
        },
        revealCaseReference: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindEnvelopeKey(encryption.reidentificationKey, ENV.reidentificationKey, { open: true });
        },
        getSampleManifest: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindBucket(storage.evidence, ENV.evidenceBucket, { read: true, prefix: 'samples/' });
        },
        topUpSample: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindStateMachineStarter(sampleWorkflow.stateMachine, ENV.sampleStateMachine);
        },
        openAuditRound: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindStateMachineStarter(routingWorkflow.stateMachine, ENV.routingStateMachine);
        },
        getSampleEstimates: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        verifySample: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getSampleSize: () => {},
        nominate: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
          fn.bindSecret(encryption.pseudonymKey, ENV.pseudonymKeySecret);
        },
        listNominations: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getNomination: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        updateNomination: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        withdrawNomination: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        listNominationCandidates: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindSecret(encryption.pseudonymKey, ENV.pseudonymKeySecret);
        },
        listWaitingCases: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        listSittings: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getSitting: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        // Each tells people: the nominators of the cases added, the reviewers of those taken off.
        addToAgenda: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        takeOffAgenda: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        cancelSitting: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        routeSitting: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindStateMachineStarter(routingWorkflow.stateMachine, ENV.routingStateMachine);
        },
        getSittingRouting: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        listAssignments: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getSittingProgress: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        declineAssignment: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        reassignReviewer: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        moveAssignmentQuestionSet: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        assignNamedReviewer: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        listPanels: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        putPanel: (fn) => fn.bindTableWriter(tables.main, ENV.mainTable),
        putSitting: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          publish(fn);
        },
        listNotifications: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        listReviewers: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        putReviewer: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindSecret(encryption.pseudonymKey, ENV.pseudonymKeySecret);
        },
        getCurrentQuestionSet: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        getQuestionSet: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        publishQuestionSet: (fn) => fn.bindTableWriter(tables.main, ENV.mainTable),
        getAssignedCase: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindBucket(storage.caseFiles, ENV.caseFilesBucket, {
            read: true,
            list: true,
            prefix: 'case-files/',
          });
        },
        submitFinding: startsConclusion,
        amendFinding: startsConclusion,
        listCaseFindings: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        moderateCase: startsConclusion,
        createCaseFileUpload: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindBucket(storage.caseFiles, ENV.caseFilesBucket, { write: true, prefix: 'case-files/' });
        },
        deleteCaseFile: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindBucket(storage.caseFiles, ENV.caseFilesBucket, {
            read: true,
            delete: true,
            list: true,
            prefix: 'case-files/',
          });
        },
        getCasePack: readsPacks('packs/cases/'),
        verifyCasePack: readsPacks('packs/cases/'),
        correctCasePack: (fn) => {
          fn.bindTableWriter(tables.main, ENV.mainTable);
          fn.bindBucket(storage.evidence, ENV.evidenceBucket, {
            read: true,
            write: true,
            list: true,
            prefix: 'packs/cases/',
          });
        },
        getSittingPack: readsPacks('packs/sittings/'),
        createSittingReport: (fn) => {
          writesReports(fn);
          writesSittingPacks(fn);
        },
        closeSitting: (fn) => {
          writesReports(fn);
          writesSittingPacks(fn);
          publish(fn);
        },
        createSampleReport: (fn) => {
          fn.bindTableReader(tables.main, ENV.mainTable);
          fn.bindBucket(storage.reports, ENV.reportsBucket, { read: true, write: true, prefix: 'reports/' });
        },
        listRecommendations: (fn) => fn.bindTableReader(tables.main, ENV.mainTable),
        closeRecommendation: (fn) => fn.bindTableWriter(tables.main, ENV.mainTable),
        decideRecommendation: (fn) => fn.bindTableWriter(tables.main, ENV.mainTable),
        getAuditTrailOfRecord: (fn) => fn.bindTableReader(tables.audit, ENV.auditTable),
        getAuditTrailOfActor: (fn) => fn.bindTableReader(tables.audit, ENV.auditTable),
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: api.api.apiEndpoint });
    new CfnOutput(this, 'Issuer', { value: identity.issuer });
  }
}
