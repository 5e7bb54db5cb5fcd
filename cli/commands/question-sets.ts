/**
 * `scrutineer question-sets …`: the terms-of-reference questions findings answer, current or one
 * published version, and publishing the next version (admin).
 */
import type { Command } from 'commander';
import type { Question } from '../../shared/review/question-set.ts';
import { connect, withSignInOptions } from '../config.ts';
import { readJsonFile } from '../json-file.ts';
import { result } from '../output.ts';

/** Publishing is the admin's; anyone who reviews may read the questions. */
const QUESTION_SETS_USER = 'admin';

interface QuestionSet {
  readonly version: number;
  readonly title: string;
  readonly questions: readonly Question[];
  readonly publishedAt: string;
  readonly publishedBy: string;
  readonly scales?: {
    readonly answers: readonly { code: string; label: string }[];
    readonly verdicts: readonly { code: string; label: string }[];
  };
}

export function addQuestionSetsCommand(program: Command): void {
  const questionSets = program
    .command('question-sets')
    .description('the questions findings answer: show a version, publish the next one');
  withSignInOptions(
    questionSets
      .command('show')
      .description('show the current question set, or one published version, with its scales')
      .argument('[version]', 'a version number such as 1 (default: the current one)')
      .option('--json', 'print the question set as JSON'),
    QUESTION_SETS_USER,
  ).action(async (version: string | undefined, options: { json?: boolean }, command: Command) => {
    if (version !== undefined && !/^[1-9]\d*$/.test(version)) {
      command.error(`error: the version is a number such as 1, not "${version}"`, { exitCode: 2 });
    }
    const questionSet = await (await connect(command)).get<QuestionSet>(
      `/question-sets/${version ?? 'current'}`,
    );
    result(options.json ? JSON.stringify(questionSet, null, 2) : formatQuestionSet(questionSet));
  });
  withSignInOptions(
    questionSets
      .command('publish')
      .description(
        'publish the next version from a JSON file of {"title", "questions"}; findings from then on answer it',
      )
      .requiredOption('--file <qs.json>', 'the question set, as `question-sets show --json` prints one')
      .option('--json', 'print the published version as JSON'),
    QUESTION_SETS_USER,
  ).action(async (options: { file: string; json?: boolean }, command: Command) => {
    const file = (await readJsonFile(options.file, 'a question set')) as Record<string, unknown>;
    // A set saved with `show --json` carries what the server records; only these two are sent.
    const body =
      typeof file === 'object' && file !== null && !Array.isArray(file)
        ? { title: file.title, questions: file.questions }
        : file;
    const published = await (await connect(command)).post<QuestionSet>('/question-sets', body);
    result(
      options.json
        ? JSON.stringify(published, null, 2)
        : `Published question set version ${published.version} (${published.title}), ` +
            `${published.questions.length} questions; findings on assignments made from now on answer it.`,
    );
  });
}

function formatQuestionSet(questionSet: QuestionSet): string {
  const condition = (question: Question) => {
    const when = question.appliesWhen;
    const parts = [
      ...(when?.decisionTypes ? [`decision ${when.decisionTypes.join('/')}`] : []),
      ...(when?.outcomeCodes ? [`outcome ${when.outcomeCodes.join('/')}`] : []),
    ];
    const applies = parts.length ? `only for ${parts.join(', ')}` : '';
    return [question.required ? '' : 'optional', applies].filter(Boolean).join('; ');
  };
  return [
    `Question set version ${questionSet.version}: ${questionSet.title}`,
    `Published ${questionSet.publishedAt} by ${questionSet.publishedBy}`,
    '',
    ...questionSet.questions.map((question, index) => {
      const note = condition(question);
      return `${String(index + 1).padStart(2)}. ${question.questionId}${note ? ` (${note})` : ''}\n    ${question.text}`;
    }),
    ...(questionSet.scales
      ? [
          '',
          `Answers: ${questionSet.scales.answers.map((scale) => scale.code).join(', ')}`,
          `Verdicts: ${questionSet.scales.verdicts.map((scale) => scale.code).join(', ')}`,
        ]
      : []),
  ].join('\n');
}
