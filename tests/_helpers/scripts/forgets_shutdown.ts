// A script that asks and then simply ends, without shutting its system down.
import { ActorSystem } from "../../../mod.ts";
import { Counter } from "../actors.ts";

const system = await ActorSystem.start();
const counter = system.spawn(Counter);
counter.tell("add", 41);
console.log(`answer: ${(await counter.ask("get")) + 1}`);
