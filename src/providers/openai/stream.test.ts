import { replayFixtures } from "../../../test/fixtures/replay-decoder";
import { openaiStreamToEvents } from "./stream";

// Every recorded OpenAI-wire stream (OpenAI itself and the compatible hosts' variants, see
// test/fixtures/README.md), cut every way a network can cut it.
replayFixtures("openai", (body) => openaiStreamToEvents("openai", body));
