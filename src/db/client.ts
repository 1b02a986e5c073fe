import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

/** A Drizzle handle over the request's D1 binding (cheap: no connection to open). */
export const getDb = (d1: D1Database): Db => drizzle(d1, { schema });
