-- Gateway API: every parent (Gateway) in status.parents reports whether it
-- Accepted the route and whether its backend references resolved.
local gen = obj.metadata.generation
local parents = {}
if obj.status ~= nil and obj.status.parents ~= nil then
  parents = obj.status.parents
end
if #parents == 0 then
  return {status = "Progressing", message = "Waiting for a Gateway to accept the route"}
end
local pending = false
for _, p in ipairs(parents) do
  local name = "a parent"
  if p.parentRef ~= nil and p.parentRef.name ~= nil then
    name = "Gateway " .. p.parentRef.name
  end
  local accepted = nil
  for _, c in ipairs(p.conditions or {}) do
    if c.observedGeneration ~= nil and gen ~= nil and c.observedGeneration < gen then
      pending = true
    elseif c.type == "Accepted" then
      accepted = c
      if c.status == "False" then
        return {status = "Degraded", message = name .. " did not accept the route: " .. (c.message or c.reason or "")}
      end
    elseif c.type == "ResolvedRefs" and c.status == "False" then
      return {status = "Degraded", message = name .. " could not resolve the backends: " .. (c.message or c.reason or "")}
    end
  end
  if accepted == nil or accepted.status ~= "True" then
    pending = true
  end
end
if pending then
  return {status = "Progressing", message = "Waiting for every Gateway to accept the latest generation of the route"}
end
return {status = "Healthy", message = "Route is accepted by every Gateway"}
