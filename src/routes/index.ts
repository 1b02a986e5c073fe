import { anthropicMessageRoutes } from "./anthropic-messages";
import { apiKeyRoutes } from "./api-keys";
import { budgetRoutes } from "./budgets";
import { chatCompletionRoutes } from "./chat-completions";
import { conversationMessageRoutes } from "./conversation-messages";
import { conversationRoutes } from "./conversations";
import { embeddingRoutes } from "./embeddings";
import { healthRoutes } from "./health";
import { imageRoutes } from "./images";
import { messageRoutes } from "./messages";
import { modelConfigRoutes } from "./model-configs";
import { modelRoutes } from "./models";
import { personaRoutes } from "./personas";
import { responsesRoutes } from "./responses";
import { statsRoutes } from "./stats";
import { usageRoutes } from "./usage";
import { userRoutes } from "./users";
import { vendorKeyRoutes } from "./vendor-keys";
import { vendorRoutes } from "./vendors";

/** Every router, mounted at "/" by src/app.ts (paths are absolute in each createRoute). */
export const routers = [
  healthRoutes,
  userRoutes,
  apiKeyRoutes,
  budgetRoutes,
  personaRoutes,
  conversationRoutes,
  messageRoutes,
  conversationMessageRoutes,
  vendorRoutes,
  vendorKeyRoutes,
  modelConfigRoutes,
  modelRoutes,
  chatCompletionRoutes,
  anthropicMessageRoutes,
  responsesRoutes,
  imageRoutes,
  embeddingRoutes,
  usageRoutes,
  statsRoutes,
];
