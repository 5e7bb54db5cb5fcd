import { describe, expect, it } from 'vitest';
import { resolveTemplate, TemplateResolutionError } from '../../local/template.ts';

const template = {
  Parameters: { Stage: { Default: 'local' } },
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
    Named: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'named-fn' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: {
          'Fn::Join': [
            '',
            [
              '{"Resource":"',
              { 'Fn::GetAtt': ['Fn', 'Arn'] },
              '","Partition":"',
              { Ref: 'AWS::Partition' },
              '"}',
            ],
          ],
        },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
        Sub: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${Fn.Arn}/${Stage}' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
        SubWithVariables: { 'Fn::Sub': ['${Name}-${AWS::Region}', { Name: { Ref: 'Table' } }] },
        Select: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
      },
    },
  },
};

describe('resolveTemplate', () => {
  const resolved = resolveTemplate(template);
  const machine = resolved.resources.get('Machine')?.properties ?? {};

  it('resolves Ref the way CloudFormation names each resource type', () => {
    expect(resolved.refOf('Fn')).toBe('Fn');
    expect(resolved.refOf('Named')).toBe('named-fn');
    expect(resolved.refOf('Bucket')).toBe('bucket');
    expect(resolved.refOf('Machine')).toBe('arn:aws:states:eu-west-2:000000000000:stateMachine:Machine');
    expect(resolved.refOf('Stage')).toBe('local');
  });

  it('resolves Join, GetAtt, Sub (with and without variables), Select and Split', () => {
    expect(JSON.parse(String(machine.DefinitionString))).toEqual({
      Resource: 'arn:aws:lambda:eu-west-2:000000000000:function:Fn',
      Partition: 'aws',
    });
    expect(machine.Sub).toBe('arn:aws:s3:::bucket/arn:aws:lambda:eu-west-2:000000000000:function:Fn/local');
    expect(machine.SubWithVariables).toBe('Table-eu-west-2');
    expect(machine.Select).toBe('b');
  });

  it('refuses references it cannot honour', () => {
    expect(() =>
      resolveTemplate({ Resources: { X: { Type: 'T', Properties: { A: { Ref: 'Missing' } } } } }),
    ).toThrow(TemplateResolutionError);
    expect(() =>
      resolveTemplate({
        Resources: { X: { Type: 'T', Properties: { A: { 'Fn::ImportValue': 'shared' } } } },
      }),
    ).toThrow(/not supported/);
  });
});
