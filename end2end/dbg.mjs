import { chromium } from "@playwright/test";
const base = process.env.BASE_URL;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu"] });
const page = await browser.newPage();
page.on("console", m => console.log("console:", m.type(), m.text().slice(0, 2000)));
page.on("pageerror", e => console.log("pageerror:", e.message, e.stack?.slice(0, 3000)));
await page.goto(base + "/signin");
await page.getByLabel("Email").fill("bob@example.com");
await page.getByLabel("Password").fill("minijira-demo");
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL(u => !u.pathname.startsWith("/signin"));
await page.goto(base + (process.argv[2] || "/messages"));
if (!process.argv[2]) { await page.getByTestId("conversation").first().click(); }
await page.waitForTimeout(4000);
console.log("url", page.url(), "hydrated", await page.evaluate(() => document.body.dataset.hydrated));
await browser.close();
