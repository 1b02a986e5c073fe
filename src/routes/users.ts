import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { keysetPage } from "../db/cursor";
import { isUniqueViolation } from "../db/errors";
import { newId } from "../db/ids";
import { forgetUserStatements } from "../db/queries/usage-daily";
import { findUser, listUsers } from "../db/queries/users";
import { type UserRow, users } from "../db/schema";
import { conflict, notFound } from "../errors/gateway-error";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import {
  iso,
  jsonBody,
  jsonResponse,
  listOf,
  PaginationQuerySchema,
  pathParam,
  Timestamp,
} from "../openapi/schemas";
import { BudgetsInputSchema, BudgetsSchema, budgetColumns, budgetsOf } from "./budget-limits";

export const UserSchema = z
  .object({
    id: z.string().openapi({ example: "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S" }),
    email: z.string().openapi({ example: "ada@example.com" }),
    name: z.string().nullable().openapi({ example: "Ada" }),
    role: z.enum(["user", "admin"]),
    budgets: BudgetsSchema,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("User");

const email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase())
  .openapi({ example: "ada@example.com" });
const name = z.string().trim().min(1).max(200).nullable();
const role = z.enum(["user", "admin"]);

const CreateUserSchema = z
  .object({
    email,
    name: name.optional(),
    role: role.default("user"),
    budgets: BudgetsInputSchema.optional(),
  })
  .strict()
  .openapi("CreateUser");
const UpdateUserSchema = z
  .object({
    email: email.optional(),
    name: name.optional(),
    role: role.optional(),
    budgets: BudgetsInputSchema.optional(),
  })
  .strict()
  .openapi("UpdateUser");

const MeSchema = z
  .object({
    auth: z
      .enum(["admin_key", "api_key"])
      .openapi({ description: DOCS && "Which kind of key made this call." }),
    is_admin: z.boolean(),
    user: UserSchema.nullable().openapi({ description: DOCS && "Null for the operator's ADMIN_API_KEY." }),
    api_key_id: z.string().nullable(),
  })
  .openapi("Me");

export const toUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  budgets: budgetsOf(u),
  created_at: iso(u.createdAt),
  updated_at: iso(u.updatedAt),
});

const UserIdParams = z.object({ id: pathParam("id", "usr_01JD7W5X7Q2N5V3K9Y8M4T6R2S") });
const emailTaken = () => conflict("email_taken", "A user with this email already exists.", "email");
// Writes here change users and keys, which auth reads (and may cache: AUTH_CACHE_SECONDS).
const route = routes({ tags: ["Users"], writes: { invalidatesAuthCache: true } });

export const userRoutes = createRouter()
  .openapi(
    route({
      method: "post",
      path: "/v1/users",
      summary: "Create a user (admin)",
      admin: true,
      errors: [409],
      request: { body: jsonBody(CreateUserSchema) },
      responses: { 201: jsonResponse(UserSchema, "The new user.") },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const now = new Date();
      try {
        const [row] = await getDb(c.env.DB)
          .insert(users)
          .values({
            id: newId("usr"),
            email: body.email,
            name: body.name ?? null,
            role: body.role,
            ...budgetColumns(body.budgets),
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        return c.json(toUser(row as UserRow), 201);
      } catch (e) {
        if (isUniqueViolation(e)) throw emailTaken();
        throw e;
      }
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/users",
      summary: "List users, newest first (admin)",
      admin: true,
      request: { query: PaginationQuerySchema },
      responses: { 200: jsonResponse(listOf(UserSchema, "UserList"), "A page of users.") },
    }),
    async (c) => {
      const db = getDb(c.env.DB);
      const read = (limit: number, before?: string) => listUsers(db, limit, before);
      return c.json(await keysetPage(c.req.valid("query"), read, (u) => u.id, toUser), 200);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/users/{id}",
      summary: "Get a user (admin)",
      admin: true,
      errors: [404],
      request: { params: UserIdParams },
      responses: { 200: jsonResponse(UserSchema, "The user.") },
    }),
    async (c) => {
      const user = await findUser(getDb(c.env.DB), c.req.valid("param").id);
      if (!user) throw notFound("user", "id");
      return c.json(toUser(user), 200);
    },
  )
  .openapi(
    route({
      method: "patch",
      path: "/v1/users/{id}",
      summary: "Update a user's email, name, role or budgets (admin)",
      admin: true,
      errors: [404, 409],
      request: { params: UserIdParams, body: jsonBody(UpdateUserSchema) },
      responses: { 200: jsonResponse(UserSchema, "The updated user.") },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { budgets, ...fields } = c.req.valid("json");
      try {
        const [row] = await getDb(c.env.DB)
          .update(users)
          .set({ ...fields, ...budgetColumns(budgets), updatedAt: new Date() })
          .where(eq(users.id, id))
          .returning();
        if (!row) throw notFound("user", "id");
        return c.json(toUser(row), 200);
      } catch (e) {
        if (isUniqueViolation(e)) throw emailTaken();
        throw e;
      }
    },
  )
  .openapi(
    route({
      method: "delete",
      path: "/v1/users/{id}",
      summary: "Delete a user with their keys, private personas and conversations (admin)",
      admin: true,
      errors: [404],
      request: { params: UserIdParams },
      responses: { 204: { description: DOCS && "Deleted." } },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      // One transaction: the rolled-up usage loses the user's ids as the raw rows do (ON DELETE
      // SET NULL), together with the user.
      const results = await c.env.DB.batch([
        ...forgetUserStatements(c.env.DB, id),
        c.env.DB.prepare("delete from users where id = ?1 returning id").bind(id),
      ]);
      if ((results.at(-1)?.results.length ?? 0) === 0) throw notFound("user", "id");
      return c.body(null, 204);
    },
  )
  .openapi(
    route({
      method: "get",
      path: "/v1/me",
      summary: "Who is calling",
      responses: { 200: jsonResponse(MeSchema, "The caller.") },
    }),
    (c) => {
      const p = c.get("principal");
      if (p.kind === "root")
        return c.json({ auth: "admin_key" as const, is_admin: true, user: null, api_key_id: null }, 200);
      return c.json(
        {
          auth: "api_key" as const,
          is_admin: p.user.role === "admin",
          user: toUser(p.user),
          api_key_id: p.keyId,
        },
        200,
      );
    },
  );
