import type { RemoteAgentView } from './service.js'
import type { ModCommand } from '../contract.js'

function line (agent: RemoteAgentView): string {
  const what = agent.state === 'running' ? agent.capabilities.join(', ') || '(no skills)' : `unreachable: ${agent.error ?? ''}`
  return `${agent.id === '' ? agent.name : agent.id}  ${agent.community}  ${agent.url}  ${what}`
}

/** `oa-node a2a <command>`: external A2A agents hosted by the running node. */
export const a2aCommands: ModCommand[] = [
  {
    name: 'add',
    description: 'host an external A2A agent in a community: its skills become capabilities, requests to it go out over A2A',
    arguments: ['<community>', '<url>'],
    options: [['--name <name>', 'its name on this node (default: the card\'s name)'], ['--token <token>', 'bearer token the agent requires']],
    run: async (ctx) => {
      const [community, url] = ctx.args
      const { name, token } = ctx.options as { name?: string, token?: string }
      const { agent } = await ctx.api.post<{ agent: RemoteAgentView }>('/v1/a2a/agents', { community, url, ...(name == null ? {} : { name }), ...(token == null ? {} : { token }) })
      ctx.print(ctx.json ? JSON.stringify(agent) : `${agent.id} hosts ${agent.url} in ${agent.community} (${agent.capabilities.join(', ') || 'no skills'})`)
      return 0
    }
  },
  {
    name: 'list',
    description: 'the external A2A agents this node hosts',
    run: async (ctx) => {
      const { agents } = await ctx.api.get<{ agents: RemoteAgentView[] }>('/v1/a2a/agents')
      if (ctx.json) for (const agent of agents) ctx.print(JSON.stringify(agent))
      else if (agents.length === 0) ctx.print('no external A2A agents (add one with oa-node a2a add <community> <url>)')
      else for (const agent of agents) ctx.print(line(agent))
      return 0
    }
  },
  {
    name: 'remove',
    description: 'stop hosting an external A2A agent added with a2a add',
    arguments: ['<name>'],
    run: async (ctx) => {
      const { agent } = await ctx.api.delete<{ agent: RemoteAgentView }>(`/v1/a2a/agents/${encodeURIComponent(ctx.args[0] ?? '')}`)
      ctx.print(ctx.json ? JSON.stringify(agent) : `removed ${agent.name} (${agent.url})`)
      return 0
    }
  }
]
