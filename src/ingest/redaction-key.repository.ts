import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SETTINGS_TABLE } from '../database/schema';
import { SQL_DIALECT, SqlDialect } from '../database/sql-dialect';

/** Where the key of the redaction markers is kept when REDACT_KEY does not give one. */
export interface RedactionKeyStore {
  /**
   * The key every replica uses: the stored one, or `candidate` when none is stored yet. Two
   * replicas starting together both get the one that was stored first.
   */
  keyOr(candidate: string): Promise<string>;
}

export const REDACTION_KEY_STORE = Symbol('REDACTION_KEY_STORE');

const KEY_SETTING = 'redaction_key';

/** The `audit_settings` row `redaction_key`: insert if absent, then read what is there. */
@Injectable()
export class SqlRedactionKeyStore implements RedactionKeyStore {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
  ) {}

  async keyOr(candidate: string): Promise<string> {
    await this.dataSource.query(
      `${this.dialect.insertIgnore(SETTINGS_TABLE, ['name', 'value'])}(?, ?)`,
      [KEY_SETTING, candidate],
    );
    const rows = (await this.dataSource.query(
      `SELECT value FROM ${SETTINGS_TABLE} WHERE name = ?`,
      [KEY_SETTING],
    )) as { value: unknown }[];
    const stored = rows[0]?.value;
    if (typeof stored !== 'string' || stored.length < 32) {
      throw new Error(`${SETTINGS_TABLE}.${KEY_SETTING} holds no usable key`);
    }
    return stored;
  }
}
